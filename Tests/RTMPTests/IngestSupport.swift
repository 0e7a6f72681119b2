import Containers
import Foundation
import MediaCore
import RTMP
import Recorder
import TestSupport
import XCTest

/// Log lines of the engine and the ingest, kept for assertions.
final class LogSink: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

/// Problems found on several threads, reported on the test's.
final class ProblemList: @unchecked Sendable {
    private let lock = NSLock()
    private var problems: [String] = []

    func add(_ problem: String) { lock.withLock { problems.append(problem) } }
    var all: [String] { lock.withLock { problems.sorted() } }
}

/// An engine with the RTMP ingest on 127.0.0.1 (a free port), and ways to publish into it.
final class IngestHarness {
    let engine: RecorderEngine
    let ingest: IngestListener
    let directory: String
    let log = LogSink()

    init(limits: RTMPIngest.Limits = RTMPIngest.Limits(), publishPolicy: PublishPolicy = PublishPolicy()) throws {
        directory = TestPaths.temporaryDirectory("rtmp")
        let sink = log
        var options = RecorderEngine.Options(mp4writerPath: TestPaths.executable("mp4writer"))
        options.publishPolicy = publishPolicy
        engine = RecorderEngine(options: options, store: nil, log: { sink.append($0) })
        ingest = RTMPIngest.listener(host: "127.0.0.1", port: 0, engine: engine, limits: limits, log: { sink.append($0) })
        try ingest.start()
    }

    var port: Int { ingest.port }

    func url(_ name: String) -> String { "rtmp://127.0.0.1:\(port)/live/\(name)" }

    /// A record config per type for `name`; the paths the recordings will have.
    @discardableResult
    func record(_ name: String, types: [RecordParameters.OutputType], chunkLength: Int = 0, publishKey: String? = nil) throws -> [String] {
        try types.map { type in
            var parameters = RecordParameters(localStreamName: name, pathToFile: directory + "/\(name)_\(type.rawValue)", type: type)
            parameters.chunkLength = chunkLength
            parameters.publishKey = publishKey
            return try engine.record(parameters).computedPathToFile
        }
    }

    /// ffmpeg publishes `fixture` (copied, not re-encoded) to `name` (or to `url`); returns
    /// when it exits.
    func ffmpegPublish(_ fixture: String, name: String, realtime: Bool = false, url target: String? = nil) throws -> ExternalTool.Output {
        try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error"] + (realtime ? ["-re"] : []) +
                             ["-i", TestPaths.fixture(fixture), "-c", "copy", "-f", "flv", target ?? url(name)])
    }

    /// The same, on another thread; `wait()` on the result gives ffmpeg's output.
    func ffmpegPublishInBackground(_ fixture: String, name: String, realtime: Bool = true) -> BackgroundRun {
        let run = BackgroundRun()
        let arguments = ["-nostdin", "-v", "error"] + (realtime ? ["-re"] : []) +
            ["-i", TestPaths.fixture(fixture), "-c", "copy", "-f", "flv", url(name)]
        run.start { try ExternalTool.run("ffmpeg", arguments) }
        return run
    }

    func isLive(_ name: String) -> Bool {
        engine.listStreams().contains { $0.localStreamName == name && $0.active }
    }

    /// Waits until `name` is live (true) or `timeout` passes (false).
    func waitUntilLive(_ name: String, timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if isLive(name) { return true }
            usleep(20_000)
        }
        return false
    }

    /// Waits until `name` has ended and every MP4 is finalized.
    func waitUntilEnded(_ name: String, timeout: Double = 15, file: StaticString = #filePath, line: UInt = #line) {
        let deadline = Date().addingTimeInterval(timeout)
        while isLive(name) && Date() < deadline { usleep(20_000) }
        XCTAssertFalse(isLive(name), "\(name) still live after \(timeout) s", file: file, line: line)
        engine.pool.waitUntilIdle()
    }

    func filesWritten(_ name: String) -> [String] {
        engine.listConfigs().filter { $0.parameters.localStreamName == name }.flatMap(\.filesWritten)
    }

    func stop() {
        ingest.stop()
        engine.shutdown()
    }
}

/// A blocking call run on another thread.
final class BackgroundRun: @unchecked Sendable {
    private let group = DispatchGroup()
    private var result: Result<ExternalTool.Output, Error>?

    func start(_ body: @escaping @Sendable () throws -> ExternalTool.Output) {
        group.enter()
        Thread.detachNewThread { [self] in
            result = Result { try body() }
            group.leave()
        }
    }

    func wait() throws -> ExternalTool.Output {
        group.wait()
        return try result!.get()
    }
}

/// The decoded frames of `path` equal `source`'s, stream by stream (the hash column of
/// framemd5), and ffmpeg and ffprobe say nothing about it.
///
/// Audio may have up to two frames more at the start: an MP4 source trims AAC's priming
/// frame with an edit list, and FLV, which ffmpeg publishes, has no way to say that; the
/// frame is sent and recorded, and a decoder outputs it.
func assertSameFrames(_ path: String, as source: String, file: StaticString = #filePath, line: UInt = #line) throws {
    XCTAssertTrue(FileSystem.exists(path), "\(path) exists", file: file, line: line)
    XCTAssertEqual(try FFmpegCheck.complaints(path), "", path, file: file, line: line)
    let kinds = try FFmpegCheck.streams(source).map { $0.kind == "video" ? "v" : "a" }
    XCTAssertEqual(try FFmpegCheck.streams(path).map { $0.kind == "video" ? "v" : "a" }.sorted(), kinds.sorted(),
                   "streams of \(path)", file: file, line: line)
    for kind in kinds {
        let expected = try decodedHashes(source, kind)
        let actual = try decodedHashes(path, kind)
        XCTAssertFalse(expected.isEmpty, file: file, line: line)
        if kind == "v" {
            XCTAssertEqual(actual.count, expected.count, "video frames of \(path)", file: file, line: line)
            if actual != expected { XCTFail("decoded video frames of \(path) differ from \(source)", file: file, line: line) }
        } else {
            XCTAssert(actual.count >= expected.count && actual.count <= expected.count + 2,
                      "audio frames of \(path): \(actual.count), source \(expected.count)", file: file, line: line)
            if Array(actual.suffix(expected.count)) != expected {
                XCTFail("decoded audio frames of \(path) differ from \(source)", file: file, line: line)
            }
        }
    }
}

/// The hash column of framemd5 for the first stream of `kind`.
func decodedHashes(_ path: String, _ kind: String) throws -> [Substring] {
    try FFmpegCheck.frameHashes(path, stream: kind).map { $0.split(separator: ",").last! }
}

/// A publisher of our own over a socket, for what ffmpeg 5.1 cannot do (Enhanced RTMP H.265,
/// leaving without unpublishing, timestamps near the 32-bit wrap) and for exact answers.
final class TestPublisher {
    let socket: StreamSocket
    private var encoder = ChunkStreamEncoder()
    private var decoder = ChunkStreamDecoder()
    private var streamID: UInt32 = 0
    private var scratch = [UInt8](repeating: 0, count: 65_536)

    /// Connects and completes the handshake.
    init(port: Int) throws {
        socket = try StreamSocket.connect(host: "127.0.0.1", port: port)
        var handshake = HandshakeInitiator()
        try socket.writeAll(handshake.hello())
        var input: [UInt8] = []
        while !handshake.isComplete {
            guard try read(into: &input) else { throw RTMPTestError("server closed during the handshake") }
            while let step = try handshake.step(input[...]) {
                input.removeFirst(step.consumed)
                if !step.reply.isEmpty { try socket.writeAll(step.reply) }
            }
        }
        decoder.push(input)
    }

    private func read(into input: inout [UInt8], timeout: Duration = .seconds(10)) throws -> Bool {
        let result = try scratch.withUnsafeMutableBytes { raw in try socket.read(into: raw, deadline: .now + timeout) }
        switch result {
        case .bytes(let n):
            input += scratch[0..<n]
            return true
        case .endOfStream: return false
        case .timedOut: throw RTMPTestError("no answer within \(timeout)")
        }
    }

    func send(_ message: RTMPMessage, chunkStreamID: UInt32) throws {
        try socket.writeAll(encoder.encode(message, chunkStreamID: chunkStreamID))
    }

    /// The next command the server sends; nil when it closes the connection.
    func nextCommand() throws -> CommandMessage? {
        while true {
            if let message = try decoder.next() {
                if message.type == .commandAMF0 { return try CommandMessage(parsing: message.payload) }
                continue
            }
            var input: [UInt8] = []
            guard try read(into: &input) else { return nil }
            decoder.push(input)
        }
    }

    private func command(named names: Set<String>) throws -> CommandMessage {
        while let command = try nextCommand() {
            if names.contains(command.name) { return command }
        }
        throw RTMPTestError("connection closed before \(names.sorted())")
    }

    /// connect ... publish, as ffmpeg does; the publish's onStatus.
    func publish(_ name: String) throws -> CommandMessage {
        var writer = ByteWriter()
        encoder.setChunkSize(4096, to: &writer)
        try socket.writeAll(writer.bytes)
        try send(ClientScript.connect(), chunkStreamID: 3)
        let connected = try command(named: ["_result", "_error"])
        guard connected.arguments.first?["code"]?.string == "NetConnection.Connect.Success" else {
            throw RTMPTestError("connect failed: \(connected)")
        }
        try send(ClientScript.command("releaseStream", 2, .null, [.string(name)]), chunkStreamID: 3)
        try send(ClientScript.command("FCPublish", 3, .null, [.string(name)]), chunkStreamID: 3)
        try send(ClientScript.command("createStream", 4), chunkStreamID: 3)
        while true {
            let answer = try command(named: ["_result"])
            if answer.transactionID == 4, let id = answer.arguments.first?.number {
                streamID = UInt32(id)
                break
            }
        }
        try send(ClientScript.command("publish", 5, .null, [.string(name), .string("live")], streamID: streamID), chunkStreamID: 3)
        return try command(named: ["onStatus"])
    }

    /// Tags as audio, video and data messages of the published stream, their timestamps
    /// moved by `offset` (wrapping at 2^32 as on the wire).
    func send(_ tags: [FLVTag], offset: UInt32 = 0) throws {
        var writer = ByteWriter(capacity: 1 << 20)
        for tag in tags {
            let type: MessageType = tag.kind == .audio ? .audio : tag.kind == .video ? .video : .dataAMF0
            let csid: UInt32 = tag.kind == .audio ? 4 : tag.kind == .video ? 6 : 5
            encoder.encode(RTMPMessage(type: type, timestamp: tag.timestamp &+ offset, streamID: streamID, payload: tag.body),
                           chunkStreamID: csid, to: &writer)
            if writer.count > 1 << 20 {
                try socket.writeAll(writer.bytes)
                writer.removeAll()
            }
        }
        try socket.writeAll(writer.bytes)
    }

    func unpublish(_ name: String) throws {
        try send(ClientScript.command("FCUnpublish", 6, .null, [.string(name)]), chunkStreamID: 3)
        try send(ClientScript.command("deleteStream", 7, .null, [.number(Double(streamID))]), chunkStreamID: 3)
    }

    /// Leaves at once, without unpublishing.
    func close() { socket.close() }

    /// Waits until the server closes the connection (true) or `timeout` passes (false).
    static func waitForClose(_ socket: StreamSocket, timeout: Duration) -> Bool {
        var scratch = [UInt8](repeating: 0, count: 65_536)
        let deadline = ContinuousClock.now + timeout
        while true {
            let result = scratch.withUnsafeMutableBytes { raw in
                Result { () throws(SocketError) in try socket.read(into: raw, deadline: deadline) }
            }
            switch result {
            case .success(.bytes): continue
            case .success(.endOfStream), .failure: return true
            case .success(.timedOut): return false
            }
        }
    }
}

struct RTMPTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// FLV tags of an MPEG-TS fixture, made by Containers' muxer: H.265 becomes Enhanced RTMP
/// ('hvc1') video packets, as OBS and ffmpeg 6.1+ send them.
func flvTags(fromTS fixture: String) throws -> [FLVTag] {
    var reader = TSReader()
    reader.push(try FileSystem.readFile(TestPaths.fixture(fixture)))
    reader.finish()
    var tracks: [TrackDescription] = []
    var frames: [MediaFrame] = []
    while true {
        guard let event = try reader.next() else { break }
        switch event {
        case .track(let track): tracks.append(track)
        case .frame(let frame): frames.append(frame)
        default: break
        }
    }
    var muxer = try FLVTagMuxer(tracks: tracks)
    return try frames.flatMap { try muxer.tags(for: $0) }
}
