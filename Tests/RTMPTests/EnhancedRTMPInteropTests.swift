import Containers
import Foundation
import MediaCore
import Recorder
import TestSupport
import XCTest

/// Enhanced RTMP from a publisher nobody here wrote: ffmpeg 9 (PyPI imageio-ffmpeg) encodes a
/// small clip (160x120, 10 fps, 2 s) with AV1, VP9 or H.265 and AAC, Opus or AC-3, and publishes it to the
/// recorder in the FourCC form, or writes it as an enhanced FLV file that `recorder record
/// --input` reads. Each recording decodes silently with Debian's ffmpeg 5.1 and with ffmpeg 9,
/// its video to the source's frames (framemd5).
final class EnhancedRTMPInteropTests: XCTestCase {
    struct Case {
        let name: String
        let videoOptions: [String]
        var audioOptions = ["-c:a", "aac", "-b:a", "64k"]
    }

    static let cases = [
        // svt-av1 preset 12 is its fastest (mapped to 11); a key frame every 10 frames.
        Case(name: "av1", videoOptions: ["-c:v", "libsvtav1", "-preset", "12", "-g", "10", "-svtav1-params", "verbosity=0"]),
        Case(name: "vp9", videoOptions: ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-g", "10"]),
        Case(name: "hevc", videoOptions: ["-c:v", "libx265", "-x265-params", "log-level=error:keyint=10:bframes=2", "-tag:v", "hvc1"]),
        // Audio in the FourCC form too ('Opus', 'ac-3').
        Case(name: "av1_opus", videoOptions: ["-c:v", "libsvtav1", "-preset", "12", "-g", "10", "-svtav1-params", "verbosity=0"],
             audioOptions: ["-c:a", "libopus", "-b:a", "32k"]),
        Case(name: "vp9_ac3", videoOptions: ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-g", "10"],
             audioOptions: ["-c:a", "ac3", "-b:a", "96k"]),
    ]

    /// The source clip of `testCase` as an MP4 (encoded once), with AAC audio.
    private func source(_ testCase: Case, ffmpeg: String, in dir: String) throws -> String {
        let path = dir + "/\(testCase.name)_source.mp4"
        let out = try ExternalTool.run(ffmpeg, ["-nostdin", "-v", "error", "-y",
                                                "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10",
                                                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                                                "-t", "2", "-pix_fmt", "yuv420p"] + testCase.videoOptions +
                                       testCase.audioOptions + [path])
        XCTAssertEqual(out.status, 0, out.stderr)
        return path
    }

    /// The recording decodes silently with both ffmpegs (every stream) and its video to the
    /// source's frames, by each one's framemd5; it has the source's streams.
    ///
    /// Audio frames are not compared here: the first AAC packet of an FLV publish arrives just
    /// before the first key frame and is dropped until the audio-lead fix of issue 13 lands
    /// (docs/recording.md, "audio lead kept"); its own tests cover that. An enhanced FLV
    /// recording is checked by ffmpeg 9 only: 5.1 cannot read the FourCC form.
    private func assertSameVideoWithBothFFmpegs(_ path: String, as source: String, ffmpeg9: String,
                                                file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertTrue(FileSystem.exists(path), "\(path) exists", file: file, line: line)
        if !path.hasSuffix(".flv") { try assertSilentIn51(path, as: source, file: file, line: line) }
        func hashes(_ p: String, _ stream: String) throws -> [Substring] {
            let out = try ExternalTool.run(ffmpeg9, ["-nostdin", "-v", "error", "-i", p, "-map", "0:\(stream):0", "-f", "framemd5", "-"])
            XCTAssertEqual(out.status, 0, out.stderr, file: file, line: line)
            XCTAssertEqual(out.stderr, "", "ffmpeg 9 -v error on \(p)", file: file, line: line)
            return out.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: ",").last! }
        }
        let expected = try hashes(source, "v")
        XCTAssertFalse(expected.isEmpty, file: file, line: line)
        XCTAssertEqual(try hashes(path, "v"), expected, "ffmpeg 9's decoded video of \(path)", file: file, line: line)
        XCTAssertFalse(try hashes(path, "a").isEmpty, "ffmpeg 9 decodes the audio of \(path)", file: file, line: line)
    }

    private func assertSilentIn51(_ path: String, as source: String, file: StaticString, line: UInt) throws {
        XCTAssertEqual(try FFmpegCheck.complaints(path), "", path, file: file, line: line)
        XCTAssertEqual(try FFmpegCheck.streams(path).map { "\($0.kind) \($0.codec)" }, try FFmpegCheck.streams(source).map { "\($0.kind) \($0.codec)" },
                       "streams of \(path)", file: file, line: line)
        XCTAssertEqual(try decodedHashes(path, "v"), try decodedHashes(source, "v"), "ffmpeg 5.1's decoded video of \(path)",
                       file: file, line: line)
    }

    /// ffmpeg 9 publishes each codec with -c copy (FourCC video packets, legacy AAC): the MP4
    /// and the (enhanced) FLV recordings have the source's frames.
    func testFFmpeg9PublishesAV1VP9AndHEVCRecordedAsMP4AndFLV() throws {
        try FFmpegCheck.require()
        let ffmpeg9 = try ModernFFmpeg.require()
        let harness = try IngestHarness()
        defer { harness.stop() }
        let dir = TestPaths.temporaryDirectory("ertmp")
        for testCase in Self.cases {
            let source = try source(testCase, ffmpeg: ffmpeg9, in: dir)
            let paths = try harness.record(testCase.name, types: [.mp4, .flv])
            let out = try ExternalTool.run(ffmpeg9, ["-nostdin", "-v", "error", "-i", source, "-c", "copy", "-f", "flv",
                                                     harness.url(testCase.name)])
            XCTAssertEqual(out.status, 0, "\(testCase.name): \(out.stderr)")
            harness.waitUntilEnded(testCase.name)
            for path in paths { try assertSameVideoWithBothFFmpegs(path, as: source, ffmpeg9: ffmpeg9) }
        }
        XCTAssertEqual(harness.log.all.filter { $0.contains("rtmpMediaDropped") || $0.contains("recordChunkError") }, [],
                       "nothing dropped or failed")
    }

    /// ffmpeg 9 publishes two audio tracks (the second as an Enhanced RTMP multitrack packet,
    /// trackId 1): the MP4 recording has both, and both decode.
    func testFFmpeg9MultitrackAudioRecordsEveryTrack() throws {
        try FFmpegCheck.require()
        let ffmpeg9 = try ModernFFmpeg.require()
        let harness = try IngestHarness()
        defer { harness.stop() }
        let dir = TestPaths.temporaryDirectory("ertmp-mt")
        let source = dir + "/multitrack.mp4"
        let encode = try ExternalTool.run(ffmpeg9, ["-nostdin", "-v", "error", "-y",
                                                    "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10",
                                                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                                                    "-f", "lavfi", "-i", "sine=frequency=880:sample_rate=44100",
                                                    "-t", "2", "-map", "0:v", "-map", "1:a", "-map", "2:a", "-pix_fmt", "yuv420p",
                                                    "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-g", "10",
                                                    "-c:a", "aac", "-b:a", "64k", source])
        XCTAssertEqual(encode.status, 0, encode.stderr)
        let paths = try harness.record("mt", types: [.mp4])
        let out = try ExternalTool.run(ffmpeg9, ["-nostdin", "-v", "error", "-i", source, "-map", "0", "-c", "copy", "-f", "flv",
                                                 harness.url("mt")])
        XCTAssertEqual(out.status, 0, out.stderr)
        harness.waitUntilEnded("mt")
        let path = try XCTUnwrap(paths.first)
        XCTAssertEqual(try FFmpegCheck.complaints(path), "")
        XCTAssertEqual(try FFmpegCheck.streams(path).map(\.codec), ["vp9", "aac", "aac"])
        XCTAssertEqual(try decodedHashes(path, "v"), try decodedHashes(source, "v"))
        // The second audio track is the 44.1 kHz one, as in the source.
        let rates = try ExternalTool.run("ffprobe", ["-v", "error", "-select_streams", "a", "-show_entries", "stream=sample_rate",
                                                     "-of", "csv=p=0", path]).stdout.split(separator: "\n")
        XCTAssertEqual(rates, ["48000", "44100"])
        // As many frames as the source's track, give or take the priming frame FLV cannot
        // trim and the frame before the first key frame (see assertSameVideoWithBothFFmpegs).
        func frames(_ p: String, _ stream: String) throws -> Int {
            try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-i", p, "-map", stream, "-f", "framemd5", "-"])
                .stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }.count
        }
        for stream in ["0:a:0", "0:a:1"] {
            let expected = try frames(source, stream)
            XCTAssertGreaterThan(expected, 0)
            XCTAssertEqual(Double(try frames(path, stream)), Double(expected), accuracy: 2, stream)
        }
    }

    /// The same clips as enhanced FLV files, recorded by `recorder record --input`.
    func testEnhancedFLVFilesAsInputRecordedAsMP4() throws {
        try FFmpegCheck.require()
        let ffmpeg9 = try ModernFFmpeg.require()
        let dir = TestPaths.temporaryDirectory("eflv")
        for testCase in Self.cases {
            let source = try source(testCase, ffmpeg: ffmpeg9, in: dir)
            let flv = dir + "/\(testCase.name).flv"
            let remux = try ExternalTool.run(ffmpeg9, ["-nostdin", "-v", "error", "-i", source, "-c", "copy", "-f", "flv", flv])
            XCTAssertEqual(remux.status, 0, remux.stderr)
            let out = try ExternalTool.run(TestPaths.executable("recorder"), ["record", "--input", flv, "localStreamName=cam",
                                                                              "pathToFile=\(dir)/\(testCase.name)_rec", "type=mp4"])
            XCTAssertEqual(out.status, 0, "\(testCase.name): \(out.stdout) \(out.stderr)")
            try assertSameVideoWithBothFFmpegs(dir + "/\(testCase.name)_rec.mp4", as: source, ffmpeg9: ffmpeg9)
        }
    }
}
