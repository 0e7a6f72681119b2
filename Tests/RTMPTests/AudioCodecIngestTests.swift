import Foundation
import MediaCore
import Recorder
import TestSupport
import XCTest

/// MP3 and G.711 published over RTMP by ffmpeg (legacy FLV SoundFormat 2, 8 and 7), recorded
/// as mp4, flv and ts at once: where the output carries the codec, ffprobe and both ffmpegs
/// (5.1 and 9) find the source's audio packets; G.711 to TS is named as not recorded (trackNotRecorded),
/// the TS holds the video, and the other two recordings are unharmed.
final class AudioCodecIngestTests: XCTestCase {
    func testFFmpegPublishesMP3AndG711() throws {
        try FFmpegCheck.require()
        let modern = try ModernFFmpeg.require()
        let harness = try IngestHarness()
        defer { harness.stop() }
        for codec in AudioCodecFixtures.all where codec.carriedByFLV {
            let source = try AudioCodecFixtures.source(codec, container: "flv")
            let name = "audio_\(codec.name)"
            let paths = try harness.record(name, types: [.mp4, .flv, .ts])
            let out = try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-i", source, "-c", "copy", "-f", "flv", harness.url(name)])
            XCTAssertEqual(out.status, 0, out.stderr)
            harness.waitUntilEnded(name)
            for path in paths {
                if path.hasSuffix(".ts") && !codec.carriedByTS {
                    XCTAssertTrue(harness.log.all.contains { $0.contains("trackNotRecorded") && $0.contains(codec.name) },
                                  "\(codec) -> ts is refused by name: \(harness.log.all.suffix(5))")
                    XCTAssertEqual(try FFmpegCheck.frameHashes(path, stream: "v").map { $0.split(separator: ",").last! },
                                   try FFmpegCheck.frameHashes(source, stream: "v").map { $0.split(separator: ",").last! },
                                   "\(codec) -> ts: the video is recorded")
                    continue
                }
                try FFmpegCheck.assertSameAudio(path, as: source, codec: codec, modernFFmpeg: modern, "\(codec) over RTMP -> \(path)")
            }
        }
    }
}
