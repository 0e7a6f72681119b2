import MediaCore

/// What a reader produces, in stream order.
public enum DemuxEvent: Sendable, Equatable {
    /// A track seen for the first time, with its first sample description. Its frames follow.
    case track(TrackDescription)
    /// A further sample description of a known track (a new SPS, another resolution or audio
    /// format): frames that follow with `index` as their `sampleDescriptionIndex` use it.
    case sampleDescription(trackID: UInt32, index: UInt16, SampleDescription)
    /// One access unit in MP4 form.
    case frame(MediaFrame)
    /// FLV script data `onMetaData` (also RTMP's `@setDataFrame`), as a dictionary.
    case metadata([String: AMF0Value])
    /// The source's clock jumped on a track; the frames that follow were moved back onto a
    /// monotonic timeline (`TimelineNormalizer`). Said once per jump and track.
    case discontinuity(TimestampDiscontinuity)
    /// A track of the source that cannot be recorded (its codec), said once; the rest of the
    /// stream is read as usual.
    case unrecordable(UnrecordableTrack)
}

extension DemuxEvent {
    /// The frame, when this event is one.
    public var frame: MediaFrame? {
        if case let .frame(frame) = self { return frame }
        return nil
    }
}
