import Foundation
import MediaCore

/// Runs mp4writer as a separate process for each closed MP4 chunk, a bounded number at a time
/// and off the ingest path: a slow finalize never stalls recording. A chunk whose finalize
/// fails keeps its staging set (mp4writer never removes it before the MP4 is durable), so it
/// is recovered at the next start or by hand.
public final class FinalizerPool: @unchecked Sendable {
    public struct Result: Sendable {
        public let path: String
        public let status: Int32
        public let output: String
        public var succeeded: Bool { status == 0 }
    }

    public let mp4writerPath: String
    private let slots: DispatchSemaphore
    private let group = DispatchGroup()
    private let queue = DispatchQueue(label: "finalizer-pool", attributes: .concurrent)
    private let counts = NSLock()
    private var waiting = 0
    /// Start times of the mp4writer runs in progress, by ticket.
    private var running: [Int: Date] = [:]
    private var nextTicket = 0

    public init(mp4writerPath: String, concurrency: Int = 2) {
        self.mp4writerPath = mp4writerPath
        slots = DispatchSemaphore(value: max(1, concurrency))
    }

    /// The mp4writer beside the running executable (the recorder ships with it).
    public static func defaultMP4WriterPath() -> String {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appendingPathComponent("mp4writer").path
    }

    /// Queues `mp4writer -path=PATH`; `completion` runs on a pool thread when it ends.
    public func finalize(_ path: String, completion: @escaping @Sendable (Result) -> Void) {
        group.enter()
        counts.withLock { waiting += 1 }
        queue.async { [self] in
            slots.wait()
            let ticket = counts.withLock { () -> Int in
                waiting -= 1
                nextTicket += 1
                running[nextTicket] = Date()
                return nextTicket
            }
            defer {
                counts.withLock { _ = running.removeValue(forKey: ticket) }
                slots.signal()
                group.leave()
            }
            completion(run(path))
        }
    }

    /// Chunks queued and being finalized (the metrics' queue length).
    public var queueLength: Int { counts.withLock { waiting + running.count } }

    /// When the longest-running mp4writer of those in progress started; nil when none runs
    /// (health: a finalize that never ends is a stuck finalizer).
    public var oldestRunStart: Date? { counts.withLock { running.values.min() } }

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
