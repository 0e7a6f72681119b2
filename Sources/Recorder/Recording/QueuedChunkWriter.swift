import MediaCore
import Synchronization

/// One chunk as the recording session sees it: every operation is queued on the recording's
/// `RecordingWriter` and returns at once; the `ChunkWriter` that does the disk work (MP4
/// staging set, FLV, MPEG-TS) is made, used and closed on the writer's queue only.
///
/// What the session needs back at once it keeps here: the media bytes queued so far (the
/// winQtCompat split and the progress in listStreams) and the file's description numbering,
/// which every chunk writer assigns the same way (1, 2, ... per track, in call order).
final class QueuedChunkWriter {
    let path: String
    private let recording: RecordingWriter
    private let file: ChunkFile
    /// Media bytes queued for this chunk (for MP4, what its .mdat will hold).
    private(set) var payloadBytes: UInt64 = 0
    private var descriptionCounts: [UInt32: Int]

    /// The chunk writer, touched only by jobs on the recording's queue, which run one at a time.
    private final class ChunkFile: @unchecked Sendable {
        var writer: ChunkWriter?
        /// A flush is asked for at the end of the running batch (`flushAtEndOfBatch`).
        var flushAsked = false
    }

    /// Queues making the folder and the files.
    init(path: String, tracks: [TrackDescription], type: RecordParameters.OutputType, winQtCompat: Bool,
         on recording: RecordingWriter, make: @escaping RecordingSession.WriterFactory) {
        self.path = path
        self.recording = recording
        descriptionCounts = Dictionary(uniqueKeysWithValues: tracks.map { ($0.trackID, $0.sampleDescriptions.count) })
        let file = ChunkFile()
        self.file = file
        recording.submit {
            // The folder may not exist yet: a date folder, or a pathToFile naming a new folder.
            try FileSystem.createDirectories(FileSystem.directoryName(path))
            file.writer = try make(type, path, tracks, winQtCompat)
        }
    }

    /// Queues the frame; throws the failure of an earlier job, if one failed. The chunk writer
    /// may hold it in memory: the batch that writes it ends with a flush, so it reaches the
    /// kernel within the recording writer's drain deadline whatever follows it.
    func write(_ frame: MediaFrame) throws {
        try recording.throwIfFailed()
        payloadBytes += UInt64(frame.payload.count)
        let file = self.file, recording = self.recording
        recording.submit(bytes: frame.payload.count) {
            try file.writer?.write(frame)
            guard !file.flushAsked else { return }
            file.flushAsked = true
            recording.flushAtEndOfBatch {
                file.flushAsked = false
                try file.writer?.flush()
            }
        }
    }

    /// Queues a track announced while the file is written ahead of its origin (MP4 only).
    func addTrack(_ track: TrackDescription) throws {
        try recording.throwIfFailed()
        descriptionCounts[track.trackID] = track.sampleDescriptions.count
        let file = self.file
        recording.submit { try file.writer?.addTrack(track) }
    }

    /// Queues the description and returns the index it has in this file.
    func addSampleDescription(_ description: SampleDescription, toTrack trackID: UInt32) throws -> UInt16 {
        try recording.throwIfFailed()
        let index = (descriptionCounts[trackID] ?? 0) + 1
        descriptionCounts[trackID] = index
        let file = self.file
        recording.submit {
            let assigned = try file.writer?.addSampleDescription(description, toTrack: trackID)
            if let assigned, assigned != UInt16(index) { throw ChunkNumberingError(path: file.writer?.path ?? "", expected: index, got: assigned) }
        }
        return UInt16(index)
    }

    /// Queues the close, which runs even after a failure (the files are closed and their lock
    /// released); `completion` runs on the writer queue with the file's media bytes, or the
    /// failure of this chunk or an earlier job.
    func close(completion: @escaping @Sendable (Result<UInt64, any Error>) -> Void) {
        let file = self.file, recording = self.recording
        recording.submit(always: true) {
            let result: Result<UInt64, any Error>
            do {
                var bytes: UInt64 = 0
                if let writer = file.writer {
                    file.writer = nil
                    try writer.close()
                    bytes = writer.payloadBytes
                }
                try recording.throwIfFailed()
                result = .success(bytes)
            } catch {
                result = .failure(error)
            }
            completion(result)
            // A failed close fails the recording too, as an earlier failed write does.
            if case .failure(let error) = result { throw error }
        }
    }
}

/// A chunk writer numbered a sample description otherwise than the session expected.
struct ChunkNumberingError: Error, CustomStringConvertible {
    let path: String
    let expected: Int
    let got: UInt16
    var description: String { "\(path): sample description numbered \(got), expected \(expected)" }
}
