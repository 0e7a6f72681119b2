import Foundation
import Recorder
import TestSupport
import XCTest

/// A publisher whose audio cannot be recorded: one trackNotRecorded line, no per-tag drops,
/// and the video recorded.
final class RefusalIngestTests: XCTestCase {
    func testFFmpegPublishingADPCMAudioIsNamedOnceAndTheVideoRecorded() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("rtmp-adpcm")
        let source = dir + "/h264_adpcm.flv"
        let made = try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-i", DiscontinuousInputs.part1, "-map", "0:v", "-map", "0:a",
                                                   "-c:v", "copy", "-c:a", "adpcm_swf", "-ar", "44100", "-f", "flv", source])
        XCTAssertEqual(made.status, 0, made.stderr)
        let harness = try IngestHarness()
        defer { harness.stop() }
        let paths = try harness.record("adpcm", types: [.mp4])
        let out = try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-i", source, "-c", "copy", "-f", "flv", harness.url("adpcm")])
        XCTAssertEqual(out.status, 0, out.stderr)
        harness.waitUntilEnded("adpcm")
        let refusals = harness.log.all.filter { $0.contains(#""event":"trackNotRecorded""#) }
        XCTAssertEqual(refusals.count, 1, "\(refusals)")
        XCTAssertTrue(refusals.first?.contains("SoundFormat 1") == true, "\(refusals)")
        XCTAssertEqual(harness.log.all.filter { $0.contains("rtmpMediaDropped") || $0.contains("recordChunkError") }, [])
        XCTAssertEqual(try FFmpegCheck.complaints(paths[0]), "")
        XCTAssertEqual(try DiscontinuousInputs.decodedVideo(paths[0]), try DiscontinuousInputs.decodedVideo(source))
    }
}
