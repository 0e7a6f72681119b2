import Foundation
import Synchronization

/// Runs `sample` every 10 ms on a thread of its own until `stop()`, which returns once the last
/// turn has ended: the loop the benchmarks' samplers (dirty pages, a server's threads and
/// children) share.
final class PeriodicSampler: Sendable {
    private let stopped = Mutex(false)
    private let done = DispatchSemaphore(value: 0)

    init(_ sample: @escaping @Sendable () -> Void) {
        Thread { [self] in
            while !stopped.withLock({ $0 }) {
                sample()
                usleep(10_000)
            }
            done.signal()
        }.start()
    }

    func stop() {
        stopped.withLock { $0 = true }
        done.wait()
    }
}

/// A numeric field of a /proc text file ("VmHWM:   12345 kB" in /proc/PID/status, "Dirty:
/// 123 kB" in /proc/meminfo, give 12345 and 123).
enum ProcField {
    static func value(_ name: String, inFile path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return nil }
        return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }
    }
}
