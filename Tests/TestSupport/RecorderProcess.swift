import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `recorder serve` in its own folder, with the HTTP port it bound (as an operator runs it).
public final class RecorderProcess {
    public let process = Process()
    public let directory: String
    public let logPath: String
    public private(set) var httpPort = 0
    /// The RTMP ingest's port (it listens on all addresses: publish to 127.0.0.1).
    public private(set) var rtmpPort = 0
    /// The RTSP push server's port (all addresses, like RTMP).
    public private(set) var rtspPort = 0

    public init(directory: String, extraArguments: [String] = []) throws {
        self.directory = directory
        logPath = directory + "/recorder.log"
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let previous = (try? String(contentsOfFile: logPath, encoding: .utf8))?.count ?? 0
        process.executableURL = URL(fileURLWithPath: TestPaths.executable("recorder"))
        process.arguments = ["serve", "--http-port", "0", "--cli-port", "0", "--rtmp-port", "0", "--rtsp-port", "0", "--silence-timeout", "4"] + extraArguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let log = FileHandle(forWritingAtPath: logPath)!
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        for _ in 0..<400 {
            let text = String(log_().dropFirst(previous))
            if let line = text.split(separator: "\n").first(where: { $0.contains("recorder started: http=") }),
               let range = line.range(of: "http=127.0.0.1:") {
                httpPort = Int(line[range.upperBound...].prefix { $0.isNumber }) ?? 0
                if let rtmp = line.range(of: " rtmp=") {
                    let address = line[rtmp.upperBound...].prefix { $0 != " " }
                    rtmpPort = Int(address.split(separator: ":").last ?? "") ?? 0
                }
                if let rtsp = line.range(of: " rtsp=") {
                    let address = line[rtsp.upperBound...].prefix { $0 != " " }
                    rtspPort = Int(address.split(separator: ":").last ?? "") ?? 0
                }
                return
            }
            usleep(25_000)
        }
        throw NSError(domain: "recorder did not start", code: 1, userInfo: [NSLocalizedDescriptionKey: log_()])
    }

    public func log_() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    public func command(_ target: String) throws -> [String: Any] { try LoopbackHTTP.json(port: httpPort, target: target) }

    public func stop() {
        _ = try? command("/shutdownServer")
        process.waitUntilExit()
    }

    public func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Waits until the log has `count` lines containing `text`; false on timeout.
    @discardableResult
    public func waitForLog(_ text: String, count: Int = 1, timeout: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if log_().components(separatedBy: text).count - 1 >= count { return true }
            usleep(50_000)
        }
        return false
    }
}

