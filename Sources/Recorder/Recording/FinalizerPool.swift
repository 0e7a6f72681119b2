import Foundation
import MediaCore
import Synchronization

/// Runs mp4writer as a separate process for each closed MP4 chunk, a bounded number at a time
/// and off the ingest path: a slow finalize never stalls recording. A chunk whose finalize
/// fails keeps its staging set (mp4writer never removes it before the MP4 is durable), so it
/// is recovered at the next start or by hand.
///
/// Chunks beyond the bound wait in a list, not on a thread: at most `concurrency` runners
/// exist, and each one that ends a run takes the next waiting chunk.
public final class FinalizerPool: Sendable {
    public struct Result: Sendable {
        public let path: String
        public let status: Int32
        public let output: String
        public var succeeded: Bool { status == 0 }
    }

    private struct Job {
        let path: String
        let completion: @Sendable (Result) -> Void
    }

    private struct State {
        var waiting: [Job] = []
        /// Start times of the mp4writer runs in progress, by ticket.
        var running: [Int: ContinuousClock.Instant] = [:]
        var runners = 0
        var nextTicket = 0
    }

    public let mp4writerPath: String
    private let concurrency: Int
    private let group = DispatchGroup()
    private let queue = DispatchQueue(label: "finalizer-pool", attributes: .concurrent)
    private let state = Mutex(State())

    public init(mp4writerPath: String, concurrency: Int = 2) {
        self.mp4writerPath = mp4writerPath
        self.concurrency = max(1, concurrency)
    }

    /// Queues `mp4writer -path=PATH`; `completion` runs on a pool thread when it ends.
    public func finalize(_ path: String, completion: @escaping @Sendable (Result) -> Void) {
        group.enter()
        let startRunner = state.withLock { state -> Bool in
            state.waiting.append(Job(path: path, completion: completion))
            guard state.runners < concurrency else { return false }
            state.runners += 1
            return true
        }
        if startRunner { queue.async { [self] in runWaitingJobs() } }
    }

    /// A runner: finalizes waiting chunks, in order, until none is left.
    private func runWaitingJobs() {
        while let (job, ticket) = state.withLock({ state -> (Job, Int)? in
            guard !state.waiting.isEmpty else {
                state.runners -= 1
                return nil
            }
            state.nextTicket += 1
            state.running[state.nextTicket] = .now
            return (state.waiting.removeFirst(), state.nextTicket)
        }) {
            job.completion(run(job.path))
            state.withLock { _ = $0.running.removeValue(forKey: ticket) }
            group.leave()
        }
    }

    /// Chunks queued and being finalized (the metrics' queue length).
    public var queueLength: Int { state.withLock { $0.waiting.count + $0.running.count } }

    /// When the longest-running mp4writer of those in progress started; nil when none runs
    /// (health: a finalize that never ends is a stuck finalizer).
    public var oldestRunStart: ContinuousClock.Instant? { state.withLock { $0.running.values.min() } }

    /// Blocks until every queued finalize has ended.
    public func waitUntilIdle() {
        group.wait()
    }

    private func run(_ path: String) -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mp4writerPath)
        process.arguments = ["-path=\(path)", "--quiet"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return Result(path: path, status: -1, output: "cannot start \(mp4writerPath): \(error)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(path: path, status: process.terminationStatus,
                      output: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
