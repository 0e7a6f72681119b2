/// A track of the source that is not recorded, and why: its codec has no support here, or the
/// output cannot hold it. Said once per track, never per packet.
public struct UnrecordableTrack: Sendable, Equatable, CustomStringConvertible {
    /// How the source or the recording names it: "PID 0x101" (MPEG-TS), "track 3".
    public var name: String
    /// Why, e.g. "stream_type 0x02 (MPEG-2 video) cannot be recorded".
    public var reason: String

    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }

    public var description: String { "\(name): \(reason)" }
}
