import MediaCore

/// The file a recording writes now: its path, tracks, origin (once decided) and figures.
struct OpenChunk {
    let path: String
    /// MP4: made when the file opens, and written ahead of its origin (its first frames reach
    /// the disk as they come). FLV, MPEG-TS: made when the origin is decided. Either way a
    /// track announced in the file's first `StartGate.originWindowSeconds` (MPEG-TS announces
    /// each audio language with its first PES, after the first picture) is part of the file.
    var writer: QueuedChunkWriter?
    var tracks: ChunkTracks
    /// The frame the file starts with (a keyframe when there is video), in `openingScale`.
    let opening: MediaFrame
    let openingScale: UInt32
    /// nil until the writer is made; its origin is nil until decided.
    var rebaser: TimestampRebaser?
    /// How many of the frames the start gate holds for this file's origin are written already.
    var writtenAhead = 0
    var stats = ChunkStats()
    /// Unix seconds of the opening frame: the source's wall clock when it gives one (an RTSP
    /// sender report, which may come a few seconds after the file opened), else ours.
    var wallClockStart: Double
}
