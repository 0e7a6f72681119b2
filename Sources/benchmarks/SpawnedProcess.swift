import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MediaCore

/// A child left running (a server), its output to a log file.
final class SpawnedProcess {
    let pid: pid_t
    private var reaped = false
    /// The exit status once reaped (nil while running or when a signal ended it).
    private(set) var exitStatus: Int32?

    init(_ path: String, _ arguments: [String], log: String, directory: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard rc == 0 else { throw BenchError("\(path): posix_spawn failed (\(rc))") }
        self.pid = pid
    }

    /// CPU time of the process (all threads) and of its children it has waited for, from
    /// /proc/PID/stat: utime, stime, cutime, cstime (fields 14-17, in clock ticks).
    func cpuSeconds() throws -> Double {
        try cpuSeconds(fields: 11...14)
    }

    /// The part of `cpuSeconds()` that its reaped children spent (cutime, cstime).
    func childrenCPUSeconds() throws -> Double {
        try cpuSeconds(fields: 13...14)
    }

    /// Its read and write system calls so far, all threads (syscr + syscw of /proc/PID/io:
    /// read, recv, readv... and write, send, writev...; not poll, fsync or the others).
    func readWriteCalls() -> Int {
        let path = "/proc/\(pid)/io"
        return (ProcField.value("syscr", inFile: path) ?? 0) + (ProcField.value("syscw", inFile: path) ?? 0)
    }

    private func cpuSeconds(fields range: ClosedRange<Int>) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // The command name (field 2) may hold spaces; the fields after its ')' do not.
        guard let close = stat.lastIndex(of: ")") else { throw BenchError("unreadable /proc/\(pid)/stat") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 14 else { throw BenchError("short /proc/\(pid)/stat") }
        let ticks = fields[range].compactMap { Double($0) }.reduce(0, +)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    func isRunning() -> Bool {
        guard !reaped else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            reaped = true
            if status & 0x7F == 0 { exitStatus = (status >> 8) & 0xFF }
        }
        return !reaped
    }

    /// Polls `ready` every 25 ms for up to 10 s until it answers, for a server just started.
    /// One that exits or never gets ready is killed (it must not outlive the benchmark) and
    /// the error quotes its `log`.
    func waitUntilReady<Ready>(_ what: String, log: () -> String, _ ready: () throws -> Ready?) throws -> Ready {
        for _ in 0..<400 {
            if let answer = try ready() { return answer }
            guard isRunning() else { break }
            usleep(25_000)
        }
        stop(signal: SIGKILL)
        throw BenchError("\(what) did not start: \(log())")
    }

    /// Sends `signal` unless it has exited, and waits for it (up to 10 s, then SIGKILL).
    func stop(signal: Int32) {
        guard isRunning() else { return }
        kill(pid, signal)
        for _ in 0..<1000 where isRunning() { usleep(10_000) }
        if isRunning() {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            reaped = true
        }
    }
}
