#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Runs a program and measures it as the kernel accounts for it: wall time, CPU time and
/// peak resident memory of that child alone (`wait4`'s rusage).
///
/// Peak memory: Linux carries the high-water mark of the address space a process replaces
/// at exec into its own `ru_maxrss`, and posix_spawn's child starts in ours (tens of MiB), so
/// the child's figure would never go below this benchmark's size. When /usr/bin/time exists
/// the program runs under it instead: `time` is small, forks the program and reports the
/// program's own peak (`%M`), while wall and CPU still come from `wait4` (CPU of reaped
/// children included).
struct ChildProcess {
    struct Measurement {
        var status: Int32
        var wallSeconds: Double
        var cpuSeconds: Double
        var peakMemoryBytes: Int
    }

    /// `stdoutPath`, when given, receives the child's standard output (else /dev/null when quiet).
    static func run(_ path: String, _ arguments: [String], quiet: Bool = true, stdoutPath: String? = nil) throws -> Measurement {
        let timeTool = "/usr/bin/time"
        guard access(timeTool, X_OK) == 0 else {
            return try spawn(path, arguments, quiet: quiet, stdoutPath: stdoutPath)
        }
        let peakFile = NSTemporaryDirectory() + "benchmark-peak-\(getpid()).txt"
        defer { unlink(peakFile) }
        var measured = try spawn(timeTool, ["-f", "%M", "-o", peakFile, path] + arguments, quiet: quiet, stdoutPath: stdoutPath)
        // `time` writes "Command exited with non-zero status N" before the figure then.
        if let text = try? String(contentsOfFile: peakFile, encoding: .utf8),
           let kib = text.split(separator: "\n").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
            measured.peakMemoryBytes = kib * 1024
        }
        return measured
    }

    private static func spawn(_ path: String, _ arguments: [String], quiet: Bool, stdoutPath: String?) throws -> Measurement {
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdoutPath {
            posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        } else if quiet {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let start = Date()
        let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard rc == 0 else { throw NSError(domain: "posix_spawn", code: Int(rc), userInfo: [NSLocalizedDescriptionKey: "\(path): spawn failed (\(rc))"]) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let wall = Date().timeIntervalSince(start)
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return Measurement(status: (status >> 8) & 0xFF, wallSeconds: wall, cpuSeconds: cpu,
                           peakMemoryBytes: Int(usage.ru_maxrss) * 1024)
    }
}
