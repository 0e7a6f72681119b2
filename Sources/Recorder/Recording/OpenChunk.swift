import MediaCore

/// The file a recording writes now: its path, tracks, origin (once decided) and figures.
struct OpenChunk {
    let path: String
    /// Made when the origin is decided, with every track known by then: a track announced in
    /// the file's first `StartGate.originWindowSeconds` (MPEG-TS announces each audio language
    /// with its first PES, after the first picture) is part of the file.
    var writer: QueuedChunkWriter?
    var tracks: ChunkTracks
    /// The frame the file starts with (a keyframe when there is video), in `openingScale`.
    let opening: MediaFrame
    let openingScale: UInt32
    /// nil until the origin is decided.
    var rebaser: TimestampRebaser?
    var stats = ChunkStats()
    /// Unix seconds of the opening frame: the source's wall clock when it gives one (an RTSP
    /// sender report, which may come a few seconds after the file opened), else ours.
    var wallClockStart: Double
}
