import MediaCore

/// One sample of a track, expanded from the sample tables: where its bytes are and when it
/// is decoded and shown, on the track's media timeline.
///
/// `MP4Track.timeline` maps these media times to the presentation timeline that ffmpeg
/// reports and that `MediaFrame`s carry.
public struct MP4Sample: Sendable, Equatable {
    /// File offset of the first byte (from `stco`/`co64`, `stsc` and `stsz`).
    public var offset: Int64
    public var size: UInt32
    /// Decoding time in the media timescale (`stts`); the first sample decodes at 0.
    public var dts: Int64
    /// The `stts` delta: time until the next sample's decoding time.
    public var duration: UInt32
    /// Presentation time minus decoding time (`ctts`), 0 without `ctts`.
    public var compositionOffset: Int32
    /// A sync sample (keyframe): listed in `stss`, or any sample when there is no `stss`.
    public var isSync: Bool
    /// 1-based index into the track's sample descriptions (`stsc`).
    public var sampleDescriptionIndex: UInt16

    /// Composition (presentation) time on the media timeline.
    public var mediaPTS: Int64 { dts + Int64(compositionOffset) }
}
