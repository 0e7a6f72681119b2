import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MediaCore

/// `recorder serve` with its own media and state folders, ports chosen by the kernel.
final class RecorderProcess {
    let process: SpawnedProcess
    let logPath: String
    let media: String
    private(set) var rtmpPort = 0
    private(set) var httpPort = 0
    private(set) var rtspPort = 0

    init(tools: String, directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        media = directory + "/media"
        logPath = directory + "/recorder.log"
        process = try SpawnedProcess(tools + "/recorder", [
            "serve", "--http-port", "0", "--cli-port", "0", "--rtmp-host", "127.0.0.1", "--rtmp-port", "0", "--rtsp-port", "0",
            "--media", media, "--state", directory + "/state", "--mp4writer", tools + "/mp4writer",
        ], log: logPath)
        let line = try process.waitUntilReady("recorder", log: log) {
            log().split(separator: "\n").first { $0.contains("recorder started: ") }
        }
        httpPort = Self.port(in: line, after: "http=127.0.0.1:")
        rtmpPort = Self.port(in: line, after: "rtmp=127.0.0.1:")
        rtspPort = line.range(of: " rtsp=").map { Self.port(in: line[$0.upperBound...], after: ":") } ?? 0
        guard httpPort > 0, rtmpPort > 0 else {
            process.stop(signal: SIGKILL)
            throw BenchError("no ports in: \(line)")
        }
    }

    private static func port(in line: Substring, after prefix: String) -> Int {
        guard let range = line.range(of: prefix) else { return 0 }
        return Int(line[range.upperBound...].prefix { $0.isNumber }) ?? 0
    }

    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func url(_ name: String) -> String { "rtmp://127.0.0.1:\(rtmpPort)/live/\(name)" }

    /// A record config for `name`; the file the recording will have.
    func record(_ name: String, type: String) throws -> String {
        let answer = try get("/record?localStreamName=\(name)&pathToFile=\(name)&type=\(type)")
        guard answer.contains(#""status":"SUCCESS""#),
              let range = answer.range(of: #""computedPathToFile":""#) else { throw BenchError("record failed: \(answer)") }
        return String(answer[range.upperBound...].prefix { $0 != "\"" }).replacingOccurrences(of: "\\/", with: "/")
    }

    /// Whether a log line has `event` for `file`.
    func logContains(_ event: String, file: String) -> Bool {
        log().split(separator: "\n").contains { $0.contains(#""event":"\#(event)""#) && $0.contains(#""file":"\#(file)""#) }
    }

    /// An HTTP/1.1 GET of the API; the body.
    func get(_ target: String) throws -> String {
        let socket = try StreamSocket.connect(host: "127.0.0.1", port: httpPort)
        defer { socket.close() }
        try socket.writeAll(Array("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let deadline = ContinuousClock.now + .seconds(10)
        reading: while true {
            let result = try buffer.withUnsafeMutableBytes { try socket.read(into: $0, deadline: deadline) }
            switch result {
            case .bytes(let n): response += buffer[0..<n]
            case .endOfStream: break reading
            case .timedOut: throw BenchError("no answer to GET \(target)")
            }
        }
        let text = String(decoding: response, as: UTF8.self)
        return text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
    }

    func stop() {
        _ = try? get("/shutdownServer")
        process.stop(signal: SIGTERM)
    }
}
