/// AvMultitrackType (Enhanced RTMP v2): how a multitrack audio or video message lays out its
/// tracks.
public enum FLVMultitrackType: UInt8, Sendable, Equatable {
    /// One track, no size: the packet of a single track other than the default.
    case oneTrack = 0
    /// Several tracks of one codec, each behind a trackId and a UI24 size.
    case manyTracks = 1
    /// Several tracks, each with its own FourCC before its trackId and size.
    case manyTracksManyCodecs = 2
}
