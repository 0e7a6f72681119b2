import Containers
import Foundation
import MediaCore
import Recorder
import TestSupport
import XCTest

/// Timestamp jumps and the audio lead through the RTMP ingest: each recording decodes
/// silently, its decoding times only go forward, every frame sent is there, and each jump is
/// one `timestampDiscontinuity` event per track in the server's log.
final class TimelineIngestTests: XCTestCase {
    private func discontinuityEvents(_ harness: IngestHarness, _ name: String) -> [String] {
        harness.log.all.filter { $0.contains(#""event":"timestampDiscontinuity""#) && $0.contains(#""stream":"\#(name)""#) }
    }

    /// An encoder restart inside one publish (ffmpeg would mend the clock before sending, so
    /// our publisher sends ffmpeg's tags as they are).
    func testARestartInsideOnePublish() throws {
        try FFmpegCheck.require()
        let harness = try IngestHarness()
        defer { harness.stop() }
        let source = try DiscontinuousInputs.flv(.restart, in: TestPaths.temporaryDirectory("rtmp-restart"))
        let paths = try harness.record("restart", types: [.mp4, .flv, .ts])
        let publisher = try TestPublisher(port: harness.port)
        XCTAssertEqual(try publisher.publish("restart").arguments.first?["code"]?.string, "NetStream.Publish.Start")
        try publisher.send(try ClientScript.tags(source))
        try publisher.unpublish("restart")
        harness.waitUntilEnded("restart")
        for path in paths { try DiscontinuousInputs.assertRecording(path, holds: .restart, "RTMP restart -> \(path)") }
        let events = discontinuityEvents(harness, "restart")
        XCTAssertEqual(events.count, 2, "one per track: \(events)")
        XCTAssertTrue(events.allSatisfy { $0.contains(#""cause":"backward""#) }, "\(events)")
    }

    /// ffmpeg publishes a stream whose clock jumps an hour ahead.
    func testFFmpegPublishesAnHourGap() throws {
        try FFmpegCheck.require()
        let harness = try IngestHarness()
        defer { harness.stop() }
        let source = try DiscontinuousInputs.flv(.gap, in: TestPaths.temporaryDirectory("rtmp-gap"))
        let paths = try harness.record("gap", types: [.mp4, .flv, .ts])
        let out = try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-i", source, "-c", "copy", "-f", "flv", harness.url("gap")])
        XCTAssertEqual(out.status, 0, out.stderr)
        harness.waitUntilEnded("gap")
        for path in paths { try DiscontinuousInputs.assertRecording(path, holds: .gap, "RTMP gap -> \(path)") }
        let events = discontinuityEvents(harness, "gap")
        XCTAssertEqual(events.count, 2, "one per track: \(events)")
        XCTAssertTrue(events.allSatisfy { $0.contains(#""cause":"forward""#) }, "\(events)")
    }

    /// ffmpeg publishes an FLV whose first audio comes before the first keyframe: every AAC
    /// packet is recorded.
    func testFFmpegPublishKeepsTheAudioLead() throws {
        try FFmpegCheck.require()
        let harness = try IngestHarness()
        defer { harness.stop() }
        let paths = try harness.record("lead", types: [.mp4, .flv, .ts])
        let out = try harness.ffmpegPublish("timeline/audio_lead.flv", name: "lead")
        XCTAssertEqual(out.status, 0, out.stderr)
        harness.waitUntilEnded("lead")
        let source = TestPaths.fixture("timeline/audio_lead.flv")
        let audio = try FFmpegCheck.packetHashes(source, stream: "a")
        for path in paths {
            XCTAssertEqual(try FFmpegCheck.complaints(path), "", path)
            XCTAssertEqual(try FFmpegCheck.packetHashes(path, stream: "a", bitstreamFilter: path.hasSuffix(".ts") ? "aac_adtstoasc" : nil),
                           audio, "\(path): every AAC packet, the lead included")
            XCTAssertEqual(try DiscontinuousInputs.decodedVideo(path), try DiscontinuousInputs.decodedVideo(source), path)
        }
    }
}
