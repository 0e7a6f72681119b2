import Containers
import Foundation
import Synchronization
import MediaCore

/// `recorder record --input SOURCE ...`: records one input to its end with the record
/// command's rules, finalizes MP4 chunks with mp4writer (a separate process, as the server
/// does), and returns what it wrote.
public struct OneShotRecording {
    public var parameters: RecordParameters
    public var resolvedPath: String
    public var input: StreamInput
    /// Leave MP4 chunks as staging sets (batch workflows, tests, benchmarks).
    public var stagingOnly = false
    public var mp4writerPath = MP4WriterLocation.besideRunningExecutable()
    public var silence: Double = 5
    public var onListening: (UInt16) -> Void = { _ in }

    public struct Outcome: Sendable {
        public var chunks: [ChunkSummary] = []
        public var errors: [String] = []
        public var finalized: [String] = []
        public var droppedFrames = 0
        /// What was skipped in the input (damaged tags or PES, lost packets).
        public var inputProblems: [String] = []
        /// Jumps of the input's clock, each closed on the recording's timeline.
        public var discontinuities: [TimestampDiscontinuity] = []
        /// Tracks of the input that were not recorded, and why (each once).
        public var notRecorded: [UnrecordableTrack] = []
    }

    public init(parameters: RecordParameters, resolvedPath: String, input: StreamInput) {
        self.parameters = parameters
        self.resolvedPath = resolvedPath
        self.input = input
    }

    /// The answer's computedPathToFile: the first file this recording will write.
    public var computedPathToFile: String {
        OutputNaming(parameters: parameters, resolvedPath: resolvedPath).firstPath
    }

    /// The config `record` answers with, as the server's `record` would show it: config 1,
    /// recording (no stream seen yet, so no audio known).
    public var answerSnapshot: RecordConfigSnapshot {
        RecordConfigSnapshot(configId: 1, parameters: parameters, computedPathToFile: computedPathToFile,
                             mp4BinPath: mp4writerPath, hasAudio: false, state: "recording")
    }

    public func run(onEvent: @escaping @Sendable (RecordingEvent) -> Void = { _ in }) throws -> Outcome {
        let collected = EventLog()
        let pool = stagingOnly || parameters.type != .mp4 ? nil : FinalizerPool(mp4writerPath: mp4writerPath)
        // A file is read as fast as the disk takes it: nothing to drop, the reader waits.
        var writerOptions = RecordingWriter.Options()
        if case .file = input { writerOptions.whenFull = .wait }
        let session = RecordingSession(parameters: parameters, resolvedPath: resolvedPath, pool: pool,
                                       writerOptions: writerOptions, onEvent: { event in
            collected.append(event)
            onEvent(event)
        })
        var reader = StreamReader(input: input)
        reader.silence = silence
        reader.onListening = onListening
        var discontinuities: [TimestampDiscontinuity] = []
        var notRecorded: [UnrecordableTrack] = []
        do {
            try reader.run { event in
                if case .discontinuity(let jump) = event { discontinuities.append(jump) }
                if case .unrecordable(let track) = event { notRecorded.append(track) }
                try session.handle(event)
            }
        } catch {
            // What was recorded up to the error is kept: close (and finalize) it.
            try? session.finish()
            pool?.waitUntilIdle()
            throw error
        }
        try session.finish()
        pool?.waitUntilIdle()
        var outcome = Outcome()
        outcome.droppedFrames = session.droppedFrames
        outcome.inputProblems = reader.problems
        outcome.discontinuities = discontinuities
        outcome.notRecorded = notRecorded
        for event in collected.events {
            switch event {
            case .chunkClosed(let summary): outcome.chunks.append(summary)
            case .chunkFinalized(let path): outcome.finalized.append(path)
            case let .chunkError(path, message): outcome.errors.append("\(path): \(message)")
            case .trackNotRecorded(let track): outcome.notRecorded.append(track)
            case .chunkCreated, .framesDropped: break
            }
        }
        return outcome
    }
}

/// Events gathered from the session and the finalizer pool's threads.
final class EventLog: Sendable {
    private let storage = Mutex<[RecordingEvent]>([])

    func append(_ event: RecordingEvent) { storage.withLock { $0.append(event) } }

    var events: [RecordingEvent] { storage.withLock { $0 } }
}
