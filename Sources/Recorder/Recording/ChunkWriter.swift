import MediaCore
import StagingWriter

/// Writes one output file of a recording (one chunk): MP4 (through a staging set), FLV or
/// MPEG-TS. Frames arrive with timestamps already rebased so that the file starts at zero.
public protocol ChunkWriter: AnyObject {
    /// The final path of this chunk (for MP4, the MP4 that mp4writer will make).
    var path: String { get }
    /// Bytes of media written so far (decides winQtCompat splits).
    var payloadBytes: UInt64 { get }
    /// Appends the frame. The writer may hold it in memory, to hand several frames to the
    /// kernel in one system call, until `flush()` (which `QueuedChunkWriter` calls at the end
    /// of every batch of the recording's queue) or `close()`.
    func write(_ frame: MediaFrame) throws
    /// Adds a sample description to a track mid-chunk; returns its index in this file.
    func addSampleDescription(_ description: SampleDescription, toTrack trackID: UInt32) throws -> UInt16
    /// Hands what the writer holds in memory to the kernel, where a kill -9 cannot lose it
    /// (MP4: the staging writer's buffers, which it hands over only as frames come).
    func flush() throws
    /// Completes the file (MP4: closes the staging set; finalizing is the caller's).
    func close() throws
}

/// MP4 chunks: a crash-safe staging set, finalized by mp4writer after `close`.
final class MP4ChunkWriter: ChunkWriter {
    let path: String
    private let writer: StagingWriter

    init(path: String, tracks: [TrackDescription], winQtCompat: Bool) throws {
        self.path = path
        var options = StagingWriter.Options()
        options.winQtCompat = winQtCompat
        writer = try StagingWriter(output: path, options: options)
        for track in tracks { try writer.addTrack(track) }
    }

    var payloadBytes: UInt64 { writer.mdatByteCount }
    /// The staging writer also hands its buffers over by itself (every `flushInterval` of
    /// media or wall time, at `maxBufferedBytes`), so a writer used without a queue is bounded too.
    func write(_ frame: MediaFrame) throws { try writer.append(frame) }
    func addSampleDescription(_ description: SampleDescription, toTrack trackID: UInt32) throws -> UInt16 {
        try writer.addSampleDescription(description, toTrack: trackID)
    }
    func flush() throws { try writer.flush() }
    func close() throws { try writer.close() }
}
