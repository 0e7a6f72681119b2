import Foundation
import Recorder
import TestSupport
import XCTest

/// GStreamer's RTMP client (`rtmp2sink`, gst-plugins-bad) publishes into the ingest. It speaks
/// the protocol its own way: releaseStream and FCPublish with transaction ID 0 (no answer
/// expected), media in 128-byte chunks, a Window Acknowledgement Size of its own, and
/// FCUnpublish + deleteStream at the end of stream. Each recording decodes to the source's
/// frames.
final class GStreamerIngestTests: XCTestCase {
    /// Each FLV fixture demuxed, re-muxed by flvmux and published, H.264 + AAC at the source's
    /// pace and the single-track ones as fast as they go; recorded as mp4, flv and ts at once.
    func testRtmp2sinkPublishesEachFixture() throws {
        try FFmpegCheck.require()
        try GStreamer.require(elements: ["rtmp2sink", "flvdemux", "flvmux", "h264parse", "aacparse"])
        let harness = try IngestHarness()
        defer { harness.stop() }
        for fixture in ["h264_aac", "h264_only", "aac_only"] {
            let name = "gst_" + fixture
            let paths = try harness.record(name, types: [.mp4, .flv, .ts])
            let source = TestPaths.fixture("flv/\(fixture).flv")
            let out = try GStreamer.launch(GStreamer.publishPipeline(source: source, sink: ["rtmp2sink", "location=\(harness.url(name))"],
                                                                     video: fixture != "aac_only", audio: fixture != "h264_only",
                                                                     realtime: fixture == "h264_aac"))
            XCTAssertEqual(out.status, 0, "gst-launch-1.0: \(out.stdout)\(out.stderr)")
            harness.waitUntilEnded(name)
            for path in paths { try assertSameFrames(path, as: source) }
            XCTAssertTrue(harness.log.all.contains { $0.contains("rtmpUnpublish") && $0.contains(#""stream":"\#(name)""#) },
                          "\(name) ended by FCUnpublish/deleteStream: \(harness.log.all)")
        }
        XCTAssertEqual(harness.log.all.filter { $0.contains("rtmpMediaDropped") || $0.contains("recordChunkError") }, [],
                       "nothing dropped or failed")
    }

    /// GStreamer's older `rtmpsink` publishes through librtmp (rtmpdump's library), the library
    /// OBS's RTMP output is a fork of: the plain handshake it falls back to when the server's S1
    /// carries no version, connect with flashVer and tcUrl, releaseStream, FCPublish,
    /// createStream, publish, and FLV tags turned into RTMP messages by RTMP_Write (which adds
    /// @setDataFrame to the metadata). Its recording decodes to the source's frames.
    func testLibrtmpRtmpsinkPublishes() throws {
        try FFmpegCheck.require()
        try GStreamer.require(elements: ["rtmpsink", "flvdemux", "flvmux", "h264parse", "aacparse"])
        let harness = try IngestHarness()
        defer { harness.stop() }
        let name = "librtmp_h264_aac"
        let paths = try harness.record(name, types: [.mp4, .flv])
        let source = TestPaths.fixture("flv/h264_aac.flv")
        // librtmp reads options after the URL; live=1 publishes to a live stream.
        let out = try GStreamer.launch(GStreamer.publishPipeline(source: source, sink: ["rtmpsink", "location=\(harness.url(name)) live=1"],
                                                                 video: true, audio: true, realtime: false))
        XCTAssertEqual(out.status, 0, "gst-launch-1.0: \(out.stdout)\(out.stderr)")
        harness.waitUntilEnded(name)
        for path in paths { try assertSameFrames(path, as: source) }
        XCTAssertEqual(harness.log.all.filter { $0.contains("rtmpMediaDropped") || $0.contains("recordChunkError") }, [],
                       "nothing dropped or failed")
    }
}

/// `gst-launch-1.0` for interop checks. Like ffmpeg's, its absence is a failure under CI=true
/// (the CI script installs it) and a visible skip elsewhere.
enum GStreamer {
    static let packages = "gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-plugins-bad"

    static func require(elements: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        var missing: [String] = []
        if ExternalTool.find("gst-launch-1.0") == nil || ExternalTool.find("gst-inspect-1.0") == nil {
            missing = ["gst-launch-1.0"]
        } else {
            for element in elements where (try? ExternalTool.run("gst-inspect-1.0", ["--exists", element]))?.status != 0 {
                missing.append(element)
            }
        }
        guard !missing.isEmpty else { return }
        let message = "GStreamer \(missing.joined(separator: ", ")) not found: this interop check needs them (apt-get install \(packages))"
        if ExternalTool.isCI {
            XCTFail(message, file: file, line: line)
            throw XCTSkip("failed: " + message)
        }
        print("SKIPPING interop check: " + message)
        throw XCTSkip(message)
    }

    /// An FLV file's tracks, parsed (h264parse, aacparse), muxed again by flvmux and published
    /// by `sink` (element and properties), at the pace of the timestamps when `realtime` (the
    /// sink's clock sync).
    static func publishPipeline(source: String, sink: [String], video: Bool, audio: Bool, realtime: Bool) -> [String] {
        var pipeline = ["filesrc", "location=\(source)", "!", "flvdemux", "name=d"]
        if video { pipeline += ["d.video", "!", "queue", "!", "h264parse", "!", "m."] }
        if audio { pipeline += ["d.audio", "!", "queue", "!", "aacparse", "!", "m."] }
        return pipeline + ["flvmux", "name=m", "streamable=true", "!"] + sink + ["sync=\(realtime)"]
    }

    /// Runs a pipeline to its end of stream; `-q`: only errors are printed.
    static func launch(_ pipeline: [String]) throws -> ExternalTool.Output {
        try ExternalTool.run("gst-launch-1.0", ["-q"] + pipeline)
    }
}
