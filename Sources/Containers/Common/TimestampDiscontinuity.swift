/// A jump in one track's timestamps that `TimelineNormalizer` closed: where the track was
/// expected to continue, where its source clock went instead, and the offset that puts it
/// back on a monotonic timeline.
public struct TimestampDiscontinuity: Sendable, Equatable {
    public enum Cause: String, Sendable, Equatable {
        /// The clock went back by more than the jitter tolerance (an encoder restart).
        case backward
        /// The clock went forward by more than the gap tolerance (hours of silence, a new base).
        case forward
        /// MPEG-TS said so (discontinuity_indicator) and the clock moved.
        case indicator
    }

    public var trackID: UInt32
    public var cause: Cause
    /// Where the track would have continued, seconds on the source's clock (its last decoding
    /// time plus one frame).
    public var expectedSeconds: Double
    /// The decoding time that arrived instead, seconds on the source's clock.
    public var foundSeconds: Double
    /// Seconds added to this track's source times from here on.
    public var offsetSeconds: Double

    public init(trackID: UInt32, cause: Cause, expectedSeconds: Double, foundSeconds: Double, offsetSeconds: Double) {
        self.trackID = trackID
        self.cause = cause
        self.expectedSeconds = expectedSeconds
        self.foundSeconds = foundSeconds
        self.offsetSeconds = offsetSeconds
    }
}
