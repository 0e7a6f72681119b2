import Containers

/// What a recording reports as it goes (the EMS events of the same names).
public enum RecordingEvent: Sendable, Equatable {
    case chunkCreated(path: String)
    case chunkClosed(ChunkSummary)
    /// The chunk's MP4 was finalized by mp4writer (MP4 only).
    case chunkFinalized(path: String)
    case chunkError(path: String, message: String)
    /// A track this recording leaves out and why (said once per track).
    case trackNotRecorded(UnrecordableTrack)
    /// Frames not recorded because the disk fell behind (the recording's write queue was
    /// full): one event per stretch, when the file goes on at a keyframe or closes.
    case framesDropped(path: String, frames: Int, bytes: Int)
}

/// A closed chunk: what a user checks about a file.
public struct ChunkSummary: Sendable, Equatable, Codable {
    public var path: String
    public var durationSeconds: Double
    public var payloadBytes: UInt64
    /// Samples per track id.
    public var samples: [UInt32: Int]
    /// First and last dts per track, in seconds within the file.
    public var firstTimestamp: [UInt32: Double]
    public var lastTimestamp: [UInt32: Double]
    /// Wall-clock start of the chunk, Unix seconds.
    public var wallClockStart: Double
}
