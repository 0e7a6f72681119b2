import Foundation

/// The peak of the kernel's dirty page cache (`Dirty:` in /proc/meminfo) while a tool runs,
/// sampled every 10 ms on a thread of its own. System-wide: the benchmark syncs before each
/// run, so what it sees is the tool's (plus whatever else the machine writes meanwhile).
final class DirtyPageSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var peakKiB = 0
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)

    /// Starts sampling; `stop()` returns the peak in bytes.
    static func start() -> DirtyPageSampler {
        let sampler = DirtyPageSampler()
        Thread {
            while !sampler.lock.withLock({ sampler.stopped }) {
                if let kib = Self.dirtyKiB() { sampler.lock.withLock { sampler.peakKiB = max(sampler.peakKiB, kib) } }
                usleep(10_000)
            }
            sampler.done.signal()
        }.start()
        return sampler
    }

    func stop() -> Int {
        lock.withLock { stopped = true }
        done.wait()
        return lock.withLock { peakKiB } * 1024
    }

    private static func dirtyKiB() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Dirty:") }) else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }
}
