import Containers
import Foundation
import MediaCore
import RTMP
import Recorder
import TestSupport
import XCTest

/// The RTMP ingest end to end: ffmpeg publishes the fixtures, the engine records them as mp4,
/// flv and ts, and ffmpeg decodes each recording to the source's frames. Refusal of a second
/// publisher, many publishers at once, and bad clients next to a good one.
final class IngestTests: XCTestCase {
    /// Each fixture published by ffmpeg as fast as it goes, recorded three ways at once.
    func testFFmpegPublishesEachFixtureRecordedAsMP4FLVAndTS() throws {
        try FFmpegCheck.require()
        let harness = try IngestHarness()
        defer { harness.stop() }
        for fixture in ["h264_aac", "h264_only", "aac_only"] {
            let paths = try harness.record(fixture, types: [.mp4, .flv, .ts])
            let out = try harness.ffmpegPublish("mp4/\(fixture).mp4", name: fixture)
            XCTAssertEqual(out.status, 0, out.stderr)
            harness.waitUntilEnded(fixture)
            for path in paths { try assertSameFrames(path, as: TestPaths.fixture("mp4/\(fixture).mp4")) }
        }
        XCTAssertTrue(harness.log.all.contains { $0.contains(#""event":"rtmpPublish""#) && $0.contains(#""stream":"h264_aac""#) }, "\(harness.log.all)")
        XCTAssertEqual(harness.log.all.filter { $0.contains("rtmpMediaDropped") || $0.contains("recordChunkError") }, [], "nothing dropped or failed")
    }

    /// At the source's pace (-re): listStreams shows the stream with its codecs and client;
    /// a second publisher of the live name is refused (onStatus BadName), ffmpeg and ours
    /// alike, and the first recording is unharmed.
    func testRealtimePublishAndASecondPublisherIsRefused() throws {
        try FFmpegCheck.require()
        let harness = try IngestHarness()
        defer { harness.stop() }
        let paths = try harness.record("live1", types: [.mp4])
        let first = harness.ffmpegPublishInBackground("mp4/h264_aac.mp4", name: "live1")
        XCTAssertTrue(harness.waitUntilLive("live1"))
        // Both tracks are known once their sequence headers have passed.
        var snapshot: StreamSnapshot?
        for _ in 0..<100 {
            snapshot = harness.engine.listStreams().first { $0.localStreamName == "live1" }
            if snapshot?.audio != nil && snapshot?.video != nil { break }
            usleep(20_000)
        }
        XCTAssertEqual(snapshot?.source, "rtmp")
        XCTAssertEqual(snapshot?.video, "h264 320x240")
        XCTAssertEqual(snapshot?.audio, "aac 48000 Hz 2 ch")
        XCTAssertTrue(snapshot?.clientAddress?.hasPrefix("127.0.0.1:") ?? false, "\(String(describing: snapshot))")

        let second = try harness.ffmpegPublish("mp4/h264_aac.mp4", name: "live1")
        XCTAssertNotEqual(second.status, 0, "ffmpeg reports the refusal: \(second.stderr)")
        let ours = try TestPublisher(port: harness.port)
        let status = try ours.publish("live1?key=other")
        XCTAssertEqual(status.arguments.first?["code"]?.string, "NetStream.Publish.BadName")
        XCTAssertEqual(status.arguments.first?["level"]?.string, "error")
        XCTAssertTrue(TestPublisher.waitForClose(ours.socket, timeout: .seconds(5)), "the refused connection is closed")
        ours.close()
        XCTAssertTrue(harness.isLive("live1"), "the first publisher goes on")

        let out = try first.wait()
        XCTAssertEqual(out.status, 0, out.stderr)
        harness.waitUntilEnded("live1")
        try assertSameFrames(paths[0], as: TestPaths.fixture("mp4/h264_aac.mp4"))
        XCTAssertEqual(harness.filesWritten("live1"), paths, "one file: the refused publishers recorded nothing")
    }

    /// Twenty ffmpeg publishers at the source's pace (-re), each on its name, all live at the
    /// same moment, each recorded to mp4 in 1-second chunks: every part decodes silently, and
    /// the parts together decode to the source's video frames and hold its audio packets.
    func testTwentySimultaneousPublishers() throws {
        try FFmpegCheck.require()
        let harness = try IngestHarness()
        defer { harness.stop() }
        let names = (0..<20).map { "multi\($0)" }
        for name in names { try harness.record(name, types: [.mp4], chunkLength: 1) }
        let runs = names.map { harness.ffmpegPublishInBackground("mp4/h264_aac.mp4", name: $0) }
        // The fixture lasts 3 s at -re: all twenty overlap well before the first one ends.
        var mostLive = 0
        let deadline = Date().addingTimeInterval(10)
        while mostLive < names.count && Date() < deadline {
            mostLive = max(mostLive, harness.engine.listStreams().filter { $0.active && $0.source == "rtmp" }.count)
            usleep(20_000)
        }
        XCTAssertEqual(mostLive, names.count, "publishers live at once")
        for run in runs {
            let out = try run.wait()
            XCTAssertEqual(out.status, 0, out.stderr)
        }
        for name in names { harness.waitUntilEnded(name) }
        XCTAssertEqual(harness.log.all.filter { $0.contains("rtmpMediaDropped") || $0.contains("recordChunkError") }, [],
                       "nothing dropped or failed")

        let source = TestPaths.fixture("mp4/h264_aac.mp4")
        let expectedVideo = try decodedHashes(source, "v")
        let expectedAudio = try FFmpegCheck.packetHashes(source, stream: "a")
        // Checking 20 x 3-4 parts costs a few hundred ffmpeg runs: spread them over the cores,
        // and report from this thread (XCTest's assertions are not meant for others).
        let problems = ProblemList()
        let partsByName = names.map { harness.filesWritten($0) }
        DispatchQueue.concurrentPerform(iterations: names.count) { index in
            let name = names[index], parts = partsByName[index]
            do {
                if parts.count < 2 { problems.add("\(name): \(parts.count) parts, expected 1-second chunks: \(parts)") }
                var video: [Substring] = [], audio: [String] = []
                for part in parts {
                    let complaints = try FFmpegCheck.complaints(part)
                    if !complaints.isEmpty { problems.add("\(part): \(complaints)") }
                    video += try decodedHashes(part, "v")
                    audio += try FFmpegCheck.packetHashes(part, stream: "a")
                }
                if video != expectedVideo {
                    problems.add("\(name): decoded video of the parts (\(video.count) frames) differs from the source's (\(expectedVideo.count))")
                }
                if audio != expectedAudio {
                    problems.add("\(name): audio packets of the parts (\(audio.count)) differ from the source's (\(expectedAudio.count))")
                }
            } catch {
                problems.add("\(name): \(error)")
            }
        }
        XCTAssertEqual(problems.all, [])
    }

    /// Bad clients while a good publisher runs: each is disconnected with a log line, and the
    /// good recording is unharmed.
    func testBadClientsAreDisconnectedWithoutHurtingAGoodPublisher() throws {
        try FFmpegCheck.require()
        var limits = RTMPIngest.Limits()
        limits.setupTimeout = .seconds(1)
        let harness = try IngestHarness(limits: limits)
        defer { harness.stop() }
        let paths = try harness.record("good", types: [.mp4, .ts])
        let good = harness.ffmpegPublishInBackground("mp4/h264_aac.mp4", name: "good")
        XCTAssertTrue(harness.waitUntilLive("good"))

        let handshake = HandshakeInitiator().hello()
        var random = SeededGenerator(seed: 99)
        let noise = (0..<20_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        var hugeLength = ByteWriter()
        ChunkHeader(format: .full, chunkStreamID: 6, messageLength: 0xFF_FFFF, messageTypeID: 9, messageStreamID: 1).write(to: &hugeLength)
        var badAMF = ByteWriter()
        ChunkHeader(format: .full, chunkStreamID: 3, messageLength: 12, messageTypeID: 20).write(to: &badAMF)
        badAMF.write(bytes: [0x02, 0x00, 0x07] + Array("connect".utf8) + [0x11, 0x00])
        let clients: [(String, [UInt8])] = [
            ("random bytes after the handshake", noise),
            ("a huge declared message length", hugeLength.bytes),
            ("a command that is not AMF0", badAMF.bytes),
            ("a wrong handshake version", [6] + noise),
            ("silence", []),
        ]
        for (label, bytes) in clients {
            let socket = try StreamSocket.connect(host: "127.0.0.1", port: harness.port)
            defer { socket.close() }
            if label != "a wrong handshake version" && !bytes.isEmpty {
                try socket.writeAll(handshake + [UInt8](repeating: 0, count: HandshakeResponder.packetSize))
            }
            try? socket.writeAll(bytes)
            XCTAssertTrue(TestPublisher.waitForClose(socket, timeout: .seconds(5)), "\(label): disconnected")
        }
        XCTAssertTrue(harness.isLive("good"), "the good publisher goes on")
        let out = try good.wait()
        XCTAssertEqual(out.status, 0, out.stderr)
        harness.waitUntilEnded("good")
        for path in paths { try assertSameFrames(path, as: TestPaths.fixture("mp4/h264_aac.mp4")) }
        let closed = harness.log.all.filter { $0.contains("rtmpConnectionClosed") }
        XCTAssertTrue(closed.contains { $0.contains("exceeds the limit") }, "\(closed)")
        XCTAssertTrue(closed.contains { $0.contains("version 6") }, "\(closed)")
        XCTAssertTrue(closed.contains { $0.contains("no publish within") }, "\(closed)")
        XCTAssertGreaterThanOrEqual(closed.count, clients.count)
    }

    /// A publisher that leaves without FCUnpublish or deleteStream, with timestamps that pass
    /// the 32-bit wrap: the stream ends when the connection does, the recording is finalized
    /// and decodes to the source's frames, 3 s long (not 49 days).
    func testDisconnectWithoutUnpublishAndTimestampWrap() throws {
        try FFmpegCheck.require()
        let harness = try IngestHarness()
        defer { harness.stop() }
        let source = TestPaths.fixture("flv/h264_aac.flv")
        let tags = try ClientScript.tags(source)
        let paths = try harness.record("wrap", types: [.mp4, .flv])
        let publisher = try TestPublisher(port: harness.port)
        XCTAssertEqual(try publisher.publish("wrap").arguments.first?["code"]?.string, "NetStream.Publish.Start")
        try publisher.send(tags, offset: UInt32.max - 1_499)
        publisher.close()
        harness.waitUntilEnded("wrap")
        for path in paths {
            try assertSameFrames(path, as: source)
            let probe = try ExternalTool.run("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path])
            let duration = Double(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? .nan
            XCTAssertLessThan(duration, 4, "\(path): \(duration) s")
        }
        XCTAssertTrue(harness.log.all.contains { $0.contains("rtmpConnectionClosed") && $0.contains("disconnected without unpublishing") })
    }

    /// H.265 as Enhanced RTMP sends it ('hvc1' FourCC video packets): recorded to mp4, the
    /// same frames as the source. (ffmpeg 5.1 cannot publish this; our publisher does.)
    func testH265ThroughEnhancedRTMP() throws {
        try FFmpegCheck.require()
        let harness = try IngestHarness()
        defer { harness.stop() }
        let tags = try flvTags(fromTS: "ts/h265_aac.ts")
        XCTAssertTrue(tags.contains { $0.kind == .video && $0.body[0] & 0x80 != 0 }, "enhanced video packets")
        let paths = try harness.record("hevc", types: [.mp4, .ts])
        let publisher = try TestPublisher(port: harness.port)
        XCTAssertEqual(try publisher.publish("hevc").arguments.first?["code"]?.string, "NetStream.Publish.Start")
        try publisher.send(tags)
        try publisher.unpublish("hevc")
        harness.waitUntilEnded("hevc")
        publisher.close()
        for path in paths { try assertSameFrames(path, as: TestPaths.fixture("ts/h265_aac.ts")) }
        XCTAssertTrue(harness.log.all.contains { $0.contains("rtmpUnpublish") && $0.contains(#""stream":"hevc""#) })
    }

    /// Stopping the ingest ends live streams cleanly: the recording is closed and finalized,
    /// and holds the source's first frames (as many as had arrived).
    func testStopEndsLiveStreams() throws {
        try FFmpegCheck.require()
        let harness = try IngestHarness()
        let source = TestPaths.fixture("flv/h264_aac.flv")
        let paths = try harness.record("stopped", types: [.mp4])
        let publisher = try TestPublisher(port: harness.port)
        _ = try publisher.publish("stopped")
        try publisher.send(try ClientScript.tags(source))
        usleep(300_000)
        harness.ingest.stop()
        XCTAssertFalse(harness.isLive("stopped"))
        harness.engine.pool.waitUntilIdle()
        publisher.close()
        XCTAssertEqual(try FFmpegCheck.complaints(paths[0]), "")
        let expected = try FFmpegCheck.frameHashes(source, stream: "v").map { $0.split(separator: ",").last! }
        let recorded = try FFmpegCheck.frameHashes(paths[0], stream: "v").map { $0.split(separator: ",").last! }
        XCTAssertFalse(recorded.isEmpty)
        XCTAssertTrue(recorded == Array(expected.prefix(recorded.count)), "the recorded frames are the source's first")
        harness.engine.shutdown()
    }
}
