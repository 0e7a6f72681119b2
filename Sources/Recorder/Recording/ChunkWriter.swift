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
    /// Adds a track after frames were written (a track announced in a file's origin window,
    /// when the file is written ahead of its origin); only an MP4 staging set can gain one.
    func addTrack(_ track: TrackDescription) throws
    /// Adds a sample description to a track mid-chunk; returns its index in this file.
    func addSampleDescription(_ description: SampleDescription, toTrack trackID: UInt32) throws -> UInt16
    /// Hands what the writer holds in memory to the kernel, where a kill -9 cannot lose it
    /// (MP4: the staging writer's buffers, which it hands over only as frames come).
    func flush() throws
    /// Completes the file (MP4: closes the staging set; finalizing is the caller's).
    func close() throws
}

extension ChunkWriter {
    /// FLV and MPEG-TS announce their tracks in the file's first bytes (FLV header, PMT): the
    /// recording holds their start until it knows them, and never calls this.
    func addTrack(_ track: TrackDescription) throws { throw TrackAfterStartError(path: path, trackID: track.trackID) }
}

/// A track reached a file that cannot gain one once started.
struct TrackAfterStartError: Error, CustomStringConvertible {
    let path: String
    let trackID: UInt32
    var description: String { "\(path): track \(trackID) announced after the file started, and this file cannot gain a track" }
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
    func addTrack(_ track: TrackDescription) throws { try writer.addTrack(track) }
    func addSampleDescription(_ description: SampleDescription, toTrack trackID: UInt32) throws -> UInt16 {
        try writer.addSampleDescription(description, toTrack: trackID)
    }
    func flush() throws { try writer.flush() }
    func close() throws { try writer.close() }
}
