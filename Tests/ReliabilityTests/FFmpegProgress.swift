import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// ffmpeg's `-progress` output, read on a thread of its own: the latest `out_time_us` and the
/// wall time it was read.
final class FFmpegProgress: @unchecked Sendable {
    let pipe = Pipe()
    private let lock = NSLock()
    private let ended = DispatchSemaphore(value: 0)
    private var last: (outTime: Double, seen: Date)?
    private var clockStart: Double?

    /// The latest report: out_time in seconds, and when it was read.
    var latest: (outTime: Double, seen: Date)? { lock.withLock { last } }
    /// The least (time read − out_time), seconds since 1970: an estimate of when ffmpeg's -re
    /// clock started (reports are read after they are printed, so it errs late).
    var reClockStart: Double? { lock.withLock { clockStart } }

    func start() {
        let fd = pipe.fileHandleForReading.fileDescriptor
        let thread = Thread { [self] in
            var pending = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                let now = Date()
                pending += buffer[0..<count]
                while let newline = pending.firstIndex(of: 10) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeSubrange(...newline)
                    guard line.hasPrefix("out_time_us="), let micros = Double(line.dropFirst(12)) else { continue }
                    let outTime = micros / 1_000_000
                    lock.withLock {
                        last = (outTime, now)
                        let start = now.timeIntervalSince1970 - outTime
                        clockStart = min(clockStart ?? start, start)
                    }
                }
            }
            ended.signal()
        }
        thread.start()
        // The child holds the write end now; close ours so the reader sees end of file.
        try? pipe.fileHandleForWriting.close()
    }

    /// Waits (at most 5 s) for the end of ffmpeg's output.
    func waitForEnd() { _ = ended.wait(timeout: .now() + 5) }
}
