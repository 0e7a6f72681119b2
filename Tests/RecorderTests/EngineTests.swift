import XCTest
import Foundation
import MediaCore
import Recorder
import TestSupport

/// The engine as the server runs it: configs made before the stream exists, MPEG-TS pushed by
/// ffmpeg over TCP to a pullStream listener, keepAlive, removeConfig.
final class EngineTests: XCTestCase {
    private func makeEngine() -> RecorderEngine {
        var options = RecorderEngine.Options(mp4writerPath: TestPaths.executable("mp4writer"))
        // Long enough that a sender slowed by a loaded machine is not taken for a silent one.
        options.silenceTimeout = 5
        return RecorderEngine(options: options, store: nil)
    }

    /// ffmpeg sends the fixture's TS to the listener; returns when the stream has ended.
    private func push(_ fixture: String, to engine: RecorderEngine, name: String) throws {
        let port = try XCTUnwrap(engine.listenerPort(name))
        let out = try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-i", TestPaths.fixture(fixture), "-c", "copy",
                                                  "-f", "mpegts", "tcp://127.0.0.1:\(port)"])
        XCTAssertEqual(out.status, 0, out.stderr)
        // The stream ends when the sender closes; wait for the engine to see it.
        for _ in 0..<100 where engine.listStreams().contains(where: { $0.localStreamName == name && $0.active }) {
            usleep(50_000)
        }
        engine.pool.waitUntilIdle()
    }

    func testAConfigMadeBeforeTheStreamRecordsItWhenItArrives() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("engine")
        let engine = makeEngine()
        defer { engine.shutdown() }
        var parameters = RecordParameters(localStreamName: "cam1", pathToFile: dir + "/cam1")
        parameters.keepAlive = true
        let answer = try engine.record(parameters)
        XCTAssertEqual(answer.state, "waiting")
        XCTAssertEqual(answer.computedPathToFile, dir + "/cam1.mp4")
        _ = try engine.pullStream(uri: "tcp://127.0.0.1:0", localStreamName: "cam1")

        try push("ts/h264_aac.ts", to: engine, name: "cam1")
        XCTAssertEqual(try FFmpegCheck.complaints(dir + "/cam1.mp4"), "")
        let recorded = try FFmpegCheck.frameHashes(dir + "/cam1.mp4", stream: "v").map { $0.split(separator: ",").last! }
        let source = try FFmpegCheck.frameHashes(TestPaths.fixture("ts/h264_aac.ts"), stream: "v").map { $0.split(separator: ",").last! }
        XCTAssertEqual(recorded.count, source.count, "frames recorded")
        XCTAssertEqual(recorded, source)
        let audio = try FFmpegCheck.streams(dir + "/cam1.mp4").filter { $0.kind == "audio" }
        XCTAssertEqual(audio.count, 1, "the audio track is recorded too")
        XCTAssertGreaterThanOrEqual(audio.first?.frames ?? 0, 138, "about 3 s of AAC frames")

        // keepAlive=1: the stream comes back, a new file (never touching the first).
        try push("ts/h264_aac.ts", to: engine, name: "cam1")
        XCTAssertTrue(FileSystem.exists(dir + "/cam1_1.mp4"))
        let config = try XCTUnwrap(engine.listConfigs().first)
        XCTAssertEqual(config.filesWritten, [dir + "/cam1.mp4", dir + "/cam1_1.mp4"])
        XCTAssertEqual(config.state, "waiting")
    }

    func testKeepAliveZeroRecordsOnce() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("once")
        let engine = makeEngine()
        defer { engine.shutdown() }
        var parameters = RecordParameters(localStreamName: "once", pathToFile: dir + "/once", type: .ts)
        parameters.keepAlive = false
        _ = try engine.record(parameters)
        _ = try engine.pullStream(uri: "tcp://127.0.0.1:0", localStreamName: "once")
        try push("ts/h264_aac.ts", to: engine, name: "once")
        try push("ts/h264_aac.ts", to: engine, name: "once")
        XCTAssertTrue(FileSystem.exists(dir + "/once.ts"))
        XCTAssertFalse(FileSystem.exists(dir + "/once_1.ts"), "keepAlive=0 records only once")
        XCTAssertEqual(engine.listConfigs().first?.state, "finished")
        XCTAssertEqual(try FFmpegCheck.complaints(dir + "/once.ts"), "")
    }

    func testRemoveConfigForgetsIt() throws {
        let engine = makeEngine()
        defer { engine.shutdown() }
        let a = try engine.record(RecordParameters(localStreamName: "a", pathToFile: "/tmp/a"))
        _ = try engine.removeConfig(id: a.configId)
        XCTAssertTrue(engine.listConfigs().isEmpty)
        XCTAssertThrowsError(try engine.removeConfig(id: a.configId))
    }

    /// A record issued while the stream is live starts at the stream's latest keyframe (the
    /// engine keeps the current GOP), not at the next one.
    func testARecordIssuedMidStreamStartsAtTheLatestKeyframe() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("gop")
        let engine = makeEngine()
        defer { engine.shutdown() }
        _ = try engine.pullStream(uri: "tcp://127.0.0.1:0", localStreamName: "live")
        let port = try XCTUnwrap(engine.listenerPort("live"))
        let sender = Process()
        sender.executableURL = URL(fileURLWithPath: ExternalTool.find("ffmpeg")!)
        sender.arguments = ["-nostdin", "-v", "quiet", "-re", "-i", TestPaths.fixture("ts/h264_aac_10s.ts"), "-c", "copy",
                            "-f", "mpegts", "tcp://127.0.0.1:\(port)"]
        try sender.run()
        // Keyframes every second: at 3.5 s the latest one is at about 3 s, the next at 4 s.
        usleep(3_500_000)
        _ = try engine.record(RecordParameters(localStreamName: "live", pathToFile: dir + "/late"))
        sender.waitUntilExit()
        for _ in 0..<100 where engine.listStreams().contains(where: { $0.localStreamName == "live" && $0.active }) { usleep(50_000) }
        engine.pool.waitUntilIdle()
        let output = dir + "/late.mp4"
        XCTAssertEqual(try FFmpegCheck.complaints(output), "")
        let frames = try FFmpegCheck.streams(output).first { $0.kind == "video" }?.frames ?? 0
        // Started at the keyframe before the record (>= 6 s left), not the one after (<= 6 s).
        XCTAssertGreaterThan(frames, 150, "\(frames) frames: the recording should start at the latest keyframe")
        XCTAssertLessThanOrEqual(frames, 200)
    }

    /// Events reach a shell command (with the file in RECORDER_FILE) and a URL (POSTed JSON).
    func testEventHooksRunTheCommandAndPostTheJSON() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("hooks")
        // A one-shot HTTP listener on loopback that keeps every request body it receives.
        let listener = try StreamSocket.listen(host: "127.0.0.1", port: 0)
        let port = try listener.localPort()
        let received = EventBodies()
        let accepting = Thread {
            while let connection = try? listener.accept() {
                var buffer = [UInt8](repeating: 0, count: 65536)
                var request = [UInt8]()
                while !(String(decoding: request, as: UTF8.self).contains("}")) {
                    guard (try? connection.waitReadable(until: .now + .seconds(5))) == true, let n = try? connection.receive(into: &buffer), n > 0 else { break }
                    request += buffer[0..<n]
                }
                received.append(String(decoding: request, as: UTF8.self))
                _ = try? connection.writeAll(Array("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
                connection.close()
            }
        }
        accepting.start()
        defer { listener.close() }

        var options = RecorderEngine.Options(mp4writerPath: TestPaths.executable("mp4writer"))
        options.eventCommand = "echo \"$RECORDER_EVENT $RECORDER_FILE\" >> \(dir)/events.txt"
        options.eventURL = "http://127.0.0.1:\(port)/hook"
        let engine = RecorderEngine(options: options, store: nil)
        defer { engine.shutdown() }
        _ = try engine.record(RecordParameters(localStreamName: "h", pathToFile: dir + "/h", type: .ts))
        _ = try engine.pullStream(uri: "tcp://127.0.0.1:0", localStreamName: "h")
        let out = try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-i", TestPaths.fixture("ts/h264_aac.ts"), "-c", "copy",
                                                  "-f", "mpegts", "tcp://127.0.0.1:\(try XCTUnwrap(engine.listenerPort("h")))"])
        XCTAssertEqual(out.status, 0, out.stderr)
        var lines: [String] = []
        for _ in 0..<100 {
            lines = ((try? String(contentsOfFile: dir + "/events.txt", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            if lines.contains(where: { $0.hasPrefix("streamClosed") }) && received.bodies.contains(where: { $0.contains("streamClosed") }) { break }
            usleep(100_000)
        }
        XCTAssertTrue(lines.contains("recordChunkClosed \(dir)/h.ts"), "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("streamCreated") })
        let posted = received.bodies.joined(separator: "\n")
        XCTAssertTrue(posted.contains("POST /hook"), posted)
        XCTAssertTrue(posted.contains("\"event\":\"recordChunkClosed\""), posted)
        XCTAssertTrue(posted.contains("\"file\":\"\(dir)/h.ts\""), posted)
    }
}

/// Request texts gathered by the test's listener thread.
final class EventBodies: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ body: String) { lock.withLock { storage.append(body) } }
    var bodies: [String] { lock.withLock { storage } }
}
