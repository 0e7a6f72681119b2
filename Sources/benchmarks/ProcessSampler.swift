import Foundation
import Synchronization

/// Samples a server process every 10 ms on a thread of its own while a benchmark runs: its
/// thread count, and the peak resident memory (VmHWM) of the programs its children run (the
/// recorder's mp4writer runs). A child that starts and ends between two samples is missed, and
/// one is seen at the peak it had reached when sampled: the children's figure is a lower bound.
/// A child not yet past its exec still runs the server's executable and has the server's
/// high-water mark (fork copies it): it is left out until it runs a program of its own.
final class ProcessSampler: Sendable {
    struct Peaks {
        var threads = 0
        var childBytes = 0
        /// Distinct children seen.
        var children = 0
    }

    private struct State {
        var peaks = Peaks()
        var seen: Set<Int> = []
    }

    private final class Shared: Sendable {
        let pid: Int32
        let state = Mutex(State())
        init(pid: Int32) { self.pid = pid }
    }

    private let shared: Shared
    private let loop: PeriodicSampler

    private init(pid: Int32) {
        let shared = Shared(pid: pid)
        self.shared = shared
        loop = PeriodicSampler { ProcessSampler.sample(shared) }
    }

    static func start(pid: Int32) -> ProcessSampler { ProcessSampler(pid: pid) }

    func stop() -> Peaks {
        loop.stop()
        return shared.state.withLock { $0.peaks }
    }

    private static func sample(_ shared: Shared) {
        let pid = shared.pid
        let threads = Self.statusField("Threads", pid: Int(pid)) ?? 0
        var childPeak = 0
        let ownExecutable = Self.executable(pid: Int(pid))
        var children: [Int] = []
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        for task in tasks {
            let list = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? ""
            children += list.split(separator: " ").compactMap { Int($0) }
        }
        children = children.filter { Self.executable(pid: $0).map { $0 != ownExecutable } ?? false }
        for child in children {
            childPeak = max(childPeak, (Self.statusField("VmHWM", pid: child) ?? 0) * 1024)
        }
        shared.state.withLock {
            $0.peaks.threads = max($0.peaks.threads, threads)
            $0.peaks.childBytes = max($0.peaks.childBytes, childPeak)
            $0.seen.formUnion(children)
            $0.peaks.children = $0.seen.count
        }
    }

    /// The program a process runs (/proc/PID/exe); its thread names would not do, since a
    /// child forked from a named thread starts with that thread's name.
    private static func executable(pid: Int) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
    }

    /// A numeric field of /proc/PID/status ("VmHWM:   12345 kB" gives 12345).
    static func statusField(_ name: String, pid: Int) -> Int? {
        ProcField.value(name, inFile: "/proc/\(pid)/status")
    }
}
