import Foundation
@testable import MediaCore
import TestSupport

/// What the operations end-to-end tests share: a stream pushed over RTMP at a known bitrate,
/// the recordings on disk, and listRecordings' files.
enum OperationsSupport {
    /// ffmpeg publishing `seconds` of 640x360 H.264 at ~1.5 Mbps plus AAC (~1.6 Mbps in all),
    /// in real time, to `rtmp://127.0.0.1:PORT/live/NAME`.
    static func publish(port: Int, name: String, seconds: Int) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ExternalTool.find("ffmpeg")!)
        p.arguments = ["-nostdin", "-v", "error", "-re",
                       "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
                       "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                       "-t", String(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "25",
                       "-b:v", "1500k", "-maxrate", "1500k", "-bufsize", "1500k", "-pix_fmt", "yuv420p",
                       "-c:a", "aac", "-b:a", "96k", "-f", "flv", "rtmp://127.0.0.1:\(port)/live/\(name)"]
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Every file under `folder` (recursively) with its size: finished recordings, staging
    /// sets, a finalize's partial output.
    static func filesOnDisk(_ folder: String) -> [String: Int64] {
        var result: [String: Int64] = [:]
        var pending = [folder]
        while let dir = pending.popLast() {
            for name in FileSystem.listDirectory(dir) {
                let path = dir + "/" + name
                if FileSystem.isDirectoryNotLink(path) { pending.append(path) } else { result[path] = FileSystem.fileSize(path) ?? 0 }
            }
        }
        return result
    }

    /// The finished recordings under `folder`: `.mp4` files without a staging set beside them.
    static func finishedRecordings(_ folder: String) -> Set<String> {
        let files = filesOnDisk(folder)
        return Set(files.keys.filter { $0.hasSuffix(".mp4") && files[$0 + ".mdat"] == nil && files[$0 + ".info"] == nil })
    }

    /// listRecordings' files (every page).
    static func listedFiles(_ server: RecorderProcess, state: String? = nil) throws -> [String: [String: Any]] {
        var result: [String: [String: Any]] = [:]
        var offset = 0
        while true {
            let answer = try server.command("/listRecordings?limit=100&offset=\(offset)" + (state.map { "&state=\($0)" } ?? ""))
            guard answer["status"] as? String == "SUCCESS", let data = answer["data"] as? [[String: Any]] else {
                throw NSError(domain: "listRecordings", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(answer)"])
            }
            for entry in data { result[entry["file"] as? String ?? ""] = entry }
            if data.count < 100 { return result }
            offset += data.count
        }
    }

    /// Polls `condition` until it holds (true) or `timeout` seconds pass (false).
    static func waitUntil(timeout: Double = 20, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(100_000)
        }
        return false
    }

    /// The JSON event lines of the recorder's log named `event`.
    static func events(_ log: String, _ event: String) -> [[String: Any]] {
        log.split(separator: "\n").compactMap { line -> [String: Any]? in
            guard line.contains("\"event\":\"\(event)\""), let brace = line.firstIndex(of: "{") else { return nil }
            return try? JSONSerialization.jsonObject(with: Data(line[brace...].utf8)) as? [String: Any]
        }
    }
}

/// A filesystem whose free space the test sets (for retention's usage probe).
final class FakeDisk: @unchecked Sendable {
    private let lock = NSLock()
    private var available: UInt64
    init(available: UInt64) { self.available = available }
    var usage: FilesystemUsage { lock.withLock { FilesystemUsage(filesystemID: 1, totalBytes: 1 << 30, availableBytes: available) } }
    func set(_ bytes: UInt64) { lock.withLock { available = bytes } }
}
