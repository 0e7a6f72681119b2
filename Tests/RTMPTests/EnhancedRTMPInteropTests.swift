@testable import Containers
import ISOBMFF
import Foundation
import MediaCore
import Recorder
import TestSupport
import XCTest

/// Enhanced RTMP from a publisher nobody here wrote: ffmpeg 9 (PyPI imageio-ffmpeg) encodes a
/// small clip (160x120, 10 fps, 2 s) with AV1, VP9 or H.265 and AAC, Opus or AC-3, and publishes it to the
/// recorder in the FourCC form, or writes it as an enhanced FLV file that `recorder record
/// --input` reads. Each recording decodes silently with Debian's ffmpeg 5.1 and with ffmpeg 9,
/// to the source's video frames, with the source's audio packets (framemd5).
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

    /// The recording decodes silently with both ffmpegs, to the source's video frames, and
    /// holds the source's audio packets byte for byte, in order.
    ///
    /// Audio is compared as coded packets, not decoded frames: the source MP4 trims encoder
    /// priming and the end of its last frame with an edit list (AAC, AC-3), which the FLV that
    /// ffmpeg publishes cannot carry, so decoded audio differs at the edges by design while
    /// every packet is the same. An enhanced FLV recording is checked by ffmpeg 9 only: 5.1
    /// cannot read the FourCC form.
    private func assertSameMediaWithBothFFmpegs(_ path: String, as source: String, ffmpeg9: String,
                                                file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertTrue(FileSystem.exists(path), "\(path) exists", file: file, line: line)
        let sourceAudio = try ModernFFmpeg.packetHashes(source, stream: "a", ffmpeg: ffmpeg9)
        XCTAssertFalse(sourceAudio.isEmpty, file: file, line: line)
        if !path.hasSuffix(".flv") {
            XCTAssertEqual(try FFmpegCheck.complaints(path), "", path, file: file, line: line)
            XCTAssertEqual(try FFmpegCheck.streams(path).map { "\($0.kind) \($0.codec)" },
                           try FFmpegCheck.streams(source).map { "\($0.kind) \($0.codec)" }, "streams of \(path)", file: file, line: line)
            XCTAssertEqual(try decodedHashes(path, "v"), try decodedHashes(source, "v"), "ffmpeg 5.1's decoded video of \(path)",
                           file: file, line: line)
            XCTAssertEqual(try FFmpegCheck.packetHashes(path, stream: "a"), sourceAudio, "ffmpeg 5.1: audio packets of \(path)",
                           file: file, line: line)
        }
        for kind in ["v", "a"] {
            XCTAssertEqual(try ModernFFmpeg.decodedHashes(path, stream: kind, ffmpeg: ffmpeg9).complaints, "",
                           "ffmpeg 9 -v error on \(path)", file: file, line: line)
        }
        let video = try ModernFFmpeg.decodedHashes(source, stream: "v", ffmpeg: ffmpeg9).hashes
        XCTAssertFalse(video.isEmpty, file: file, line: line)
        XCTAssertEqual(try ModernFFmpeg.decodedHashes(path, stream: "v", ffmpeg: ffmpeg9).hashes, video,
                       "ffmpeg 9's decoded video of \(path)", file: file, line: line)
        XCTAssertEqual(try ModernFFmpeg.packetHashes(path, stream: "a", ffmpeg: ffmpeg9), sourceAudio,
                       "ffmpeg 9: audio packets of \(path)", file: file, line: line)
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
            for path in paths { try assertSameMediaWithBothFFmpegs(path, as: source, ffmpeg9: ffmpeg9) }
        }
        XCTAssertEqual(harness.log.all.filter { $0.contains("rtmpMediaDropped") || $0.contains("recordChunkError") }, [],
                       "nothing dropped or failed")
    }

    /// ffmpeg 9 publishes two audio tracks (the second as an Enhanced RTMP multitrack packet,
    /// trackId 1): the MP4 recording has both, in order, with the source's packets.
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
        // Each track's coded packets are the source's, byte for byte (see
        // assertSameMediaWithBothFFmpegs for why packets rather than decoded frames).
        for stream in ["0:a:0", "0:a:1"] {
            func packets(_ p: String) throws -> [Substring] {
                try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-i", p, "-map", stream, "-c", "copy", "-f", "framemd5", "-"])
                    .stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: ",")[5] }
            }
            let expected = try packets(source)
            XCTAssertFalse(expected.isEmpty)
            XCTAssertEqual(try packets(path), expected, stream)
        }
    }

    /// Two video tracks of different codecs in one stream (Multitrack, ManyTracksManyCodecs:
    /// AV1 as trackId 0 and VP9 as trackId 1 in every message), sent by our publisher since
    /// no encoder here sends that form: the MP4 holds both tracks, each decoding to its
    /// source's frames.
    func testManyTracksManyCodecsVideoRecordsBothTracks() throws {
        try FFmpegCheck.require()
        let harness = try IngestHarness()
        defer { harness.stop() }
        let sources = ["av1_160x120", "vp9_160x120"].map { TestPaths.fixture("mp4/\($0).mp4") }
        let readers = try sources.map { try MP4Reader(path: $0) }
        let tracks = readers.map { $0.tracks[0] }
        let frames = try readers.map { try $0.frames() }
        XCTAssertEqual(frames[0].count, frames[1].count)
        /// One message carrying a packet per track: FourCC, trackId, UI24 size, body.
        func message(packetType: UInt8, keyframe: Bool, _ parts: [[UInt8]]) -> [UInt8] {
            var w = ByteWriter()
            w.write(UInt8(0x80 | (keyframe ? 1 : 2) << 4 | 6))                     // Multitrack
            w.write(UInt8(2 << 4) | packetType)                                   // ManyTracksManyCodecs
            for (id, (fourCC, part)) in zip([FourCC("av01"), FourCC("vp09")], parts).enumerated() {
                w.write(fourCC)
                w.write(UInt8(id))
                w.writeUInt(UInt64(part.count), byteCount: 3)
                w.write(bytes: part)
            }
            return w.bytes
        }
        var tags = [FLVTag(kind: .video, timestamp: 0,
                           body: message(packetType: 0, keyframe: true, tracks.map { $0.sampleDescriptions[0].configuration }))]
        for (a, b) in zip(frames[0], frames[1]) {
            let time = UInt32(a.dts * 1000 / Int64(tracks[0].timescale))
            tags.append(FLVTag(kind: .video, timestamp: time, body: message(packetType: 1, keyframe: a.isKeyframe, [Array(a.payload), Array(b.payload)])))
        }
        let paths = try harness.record("twovideo", types: [.mp4])
        let publisher = try TestPublisher(port: harness.port)
        XCTAssertEqual(try publisher.publish("twovideo").arguments.first?["code"]?.string, "NetStream.Publish.Start")
        try publisher.send(tags)
        try publisher.unpublish("twovideo")
        harness.waitUntilEnded("twovideo")
        publisher.close()
        let path = try XCTUnwrap(paths.first)
        XCTAssertEqual(try FFmpegCheck.complaints(path), "")
        XCTAssertEqual(try FFmpegCheck.streams(path).map(\.codec), ["av1", "vp9"])
        for (index, source) in sources.enumerated() {
            let out = try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-map", "0:v:\(index)", "-f", "framemd5", "-"])
            let decoded = out.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: ",").last! }
            XCTAssertEqual(decoded, try decodedHashes(source, "v"), "video track \(index)")
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
            try assertSameMediaWithBothFFmpegs(dir + "/\(testCase.name)_rec.mp4", as: source, ffmpeg9: ffmpeg9)
        }
    }
}
