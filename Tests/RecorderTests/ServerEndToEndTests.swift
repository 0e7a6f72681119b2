import XCTest
import Foundation
import MediaCore
import Recorder
import TestSupport

/// `recorder serve` as an operator runs it: commands over HTTP, MPEG-TS from ffmpeg over UDP
/// and TCP, configs surviving a restart, and a SIGKILL mid-recording recovered at the next start.
final class ServerEndToEndTests: XCTestCase {
    typealias Server = RecorderProcess

    private func send(_ fixture: String, to url: String, realTime: Bool = true) throws {
        let out = try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error"] + (realTime ? ["-re"] : []) +
                                       ["-i", TestPaths.fixture(fixture), "-c", "copy", "-f", "mpegts", url])
        XCTAssertEqual(out.status, 0, out.stderr)
    }

    private func videoHashes(_ path: String) throws -> [Substring] {
        try FFmpegCheck.frameHashes(path, stream: "v").map { $0.split(separator: ",").last! }
    }

    func testRecordBeforeTheStreamThenTSOverUDPAndTCPInEveryType() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("e2e")
        let server = try Server(directory: dir)
        defer { server.stop() }
        let source = TestPaths.fixture("ts/h264_aac.ts")
        var expectedFiles: [String] = []
        for (i, type) in ["mp4", "flv", "ts"].enumerated() {
            for transport in ["udp", "tcp"] {
                let name = "\(transport)\(type)"
                let answer = try server.command("/record?localStreamName=\(name)&pathToFile=\(name)&type=\(type)")
                XCTAssertEqual(answer["status"] as? String, "SUCCESS", "\(answer)")
                let port = 20_000 + i * 10 + (transport == "udp" ? 0 : 1) + Int.random(in: 0..<20) * 100
                let pull = try server.command("/pullStream?uri=\(transport)://127.0.0.1:\(port)&localStreamName=\(name)")
                XCTAssertEqual(pull["status"] as? String, "SUCCESS", "\(pull)")
                let url = transport == "udp" ? "udp://127.0.0.1:\(port)?pkt_size=1316" : "tcp://127.0.0.1:\(port)"
                try send("ts/h264_aac.ts", to: url)
                expectedFiles.append(dir + "/media/\(name).\(type)")
            }
        }
        server.waitForLog("\"streamClosed\"", count: 6)
        server.waitForLog("recordChunkFinalized", count: 2)
        for file in expectedFiles {
            XCTAssertEqual(try FFmpegCheck.complaints(file), "", file)
            XCTAssertEqual(try videoHashes(file), try videoHashes(source), file)
        }
    }

    func testKeepAliveAndLiveChunksAndRestart() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("e2e-keepalive")
        var server = try Server(directory: dir)
        let port = 21_000 + Int.random(in: 0..<500)
        _ = try server.command("/record?localStreamName=cam&pathToFile=cam&keepAlive=1")
        _ = try server.command("/record?localStreamName=once&pathToFile=once&keepAlive=0")
        let chunked = try server.command("/record?localStreamName=cam&pathToFile=parts/cam&chunkLength=1")
        let chunkedId = (chunked["data"] as? [String: Any])?["configId"] as? Int
        _ = try server.command("/pullStream?uri=tcp://127.0.0.1:\(port)&localStreamName=cam")
        _ = try server.command("/pullStream?uri=tcp://127.0.0.1:\(port + 1)&localStreamName=once")
        for _ in 0..<3 {
            try send("ts/h264_aac.ts", to: "tcp://127.0.0.1:\(port)", realTime: false)
            try send("ts/h264_aac.ts", to: "tcp://127.0.0.1:\(port + 1)", realTime: false)
            server.waitForLog("\"streamClosed\"", count: 2)
            usleep(300_000)
        }
        server.waitForLog("recordChunkFinalized", count: 3 + 1 + 9, timeout: 30)
        let media = dir + "/media"
        XCTAssertTrue(["cam.mp4", "cam_1.mp4", "cam_2.mp4"].allSatisfy { FileSystem.exists(media + "/" + $0) }, "keepAlive=1: three recordings")
        XCTAssertTrue(FileSystem.exists(media + "/once.mp4"))
        XCTAssertFalse(FileSystem.exists(media + "/once_1.mp4"), "keepAlive=0: one recording")
        let parts = FileSystem.listDirectory(media + "/parts").filter { $0.hasSuffix(".mp4") }
        XCTAssertGreaterThanOrEqual(parts.count, 9, "1 s parts of three 3 s streams: \(parts)")
        for part in parts { XCTAssertEqual(try FFmpegCheck.complaints(media + "/parts/" + part), "", part) }

        // Restart: the configs come back with the same ids.
        server.stop()
        server = try Server(directory: dir)
        defer { server.stop() }
        let list = try server.command("/listConfig")
        let configs = ((list["data"] as? [String: Any])?["record"] as? [[String: Any]]) ?? []
        XCTAssertTrue(configs.contains { $0["configId"] as? Int == chunkedId }, "\(configs)")
        XCTAssertFalse(configs.contains { $0["localStreamName"] as? String == "once" }, "keepAlive=0 ended after its recording")
    }

    /// SIGKILL mid-recording: at the next start the staging set is recovered into a playable
    /// MP4 holding the stream up to at most about a second before the kill.
    func testSIGKILLMidRecordingIsRecoveredAtTheNextStart() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("e2e-kill")
        var server = try Server(directory: dir)
        let port = 22_000 + Int.random(in: 0..<500)
        _ = try server.command("/record?localStreamName=cam&pathToFile=cam")
        _ = try server.command("/pullStream?uri=tcp://127.0.0.1:\(port)&localStreamName=cam")
        let sender = Process()
        sender.executableURL = URL(fileURLWithPath: ExternalTool.find("ffmpeg")!)
        sender.arguments = ["-nostdin", "-v", "quiet", "-re", "-i", TestPaths.fixture("ts/h264_aac_10s.ts"), "-c", "copy",
                            "-f", "mpegts", "tcp://127.0.0.1:\(port)"]
        try sender.run()
        server.waitForLog("recordChunkCreated")
        let started = Date()
        usleep(5_000_000)
        server.kill9()
        let killedAfter = Date().timeIntervalSince(started)
        sender.waitUntilExit()
        XCTAssertTrue(FileSystem.exists(dir + "/media/cam.mp4.mdat"), "the staging set is on disk")

        server = try Server(directory: dir)
        defer { server.stop() }
        XCTAssertTrue(server.log_().contains("startup recovery"), server.log_())
        let output = dir + "/media/cam.mp4"
        XCTAssertTrue(FileSystem.exists(output), server.log_())
        XCTAssertEqual(try FFmpegCheck.complaints(output), "")
        let duration = try FFmpegCheck.streams(output).first { $0.kind == "video" }?.duration ?? 0
        // Recording started at the first keyframe, within a second of the chunk's creation.
        XCTAssertGreaterThanOrEqual(duration, killedAfter - 1.5, "recovered \(duration) s of a stream killed after \(killedAfter) s")
    }
}
