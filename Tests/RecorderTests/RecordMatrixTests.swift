import XCTest
import Foundation
import ISOBMFF
import MediaCore
import Recorder
import TestSupport

/// Every input container and fixture recorded to every output type: ffmpeg decodes the result
/// silently, to the same frames as the input (hashes of the decoded frames, per stream).
final class RecordMatrixTests: XCTestCase {
    private func record(_ input: String, type: String, extra: [(String, String)] = []) throws -> (OneShotRecording.Outcome, String) {
        let dir = TestPaths.temporaryDirectory("matrix")
        let parameters = try RecordParameters(pairs: [("localStreamName", "s"), ("pathToFile", dir + "/out"), ("type", type)] + extra)
        var recording = OneShotRecording(parameters: parameters, resolvedPath: dir + "/out", input: .file(input))
        recording.mp4writerPath = TestPaths.executable("mp4writer")
        return (try recording.run(), dir)
    }

    /// Hashes of the decoded frames (the last column of framemd5), at their own sizes.
    private func hashes(_ path: String, _ stream: String) throws -> [Substring] {
        try FFmpegCheck.frameHashes(path, stream: stream, outputOptions: stream == "v" ? ["-autoscale", "0"] : [])
            .map { $0.split(separator: ",").last! }
    }

    private func streamKinds(_ path: String) throws -> [String] {
        try FFmpegCheck.streams(path).map { $0.kind == "video" ? "v" : "a" }
    }

    func testEveryInputToEveryOutputType() throws {
        try FFmpegCheck.require()
        let inputs = ["ts/h264_aac.ts", "ts/h265_aac.ts", "ts/aac_only.ts", "ts/h264_only.ts", "ts/resolution_change.ts",
                      "flv/h264_aac.flv", "flv/aac_only.flv", "flv/h264_only.flv", "flv/resolution_change.flv"]
        for input in inputs {
            let source = TestPaths.fixture(input)
            for type in ["mp4", "flv", "ts"] {
                // This ffmpeg (5.1) cannot read H.265 in FLV, so such a file could not be checked.
                if input.contains("h265") && type == "flv" { continue }
                let (outcome, dir) = try record(source, type: type)
                let output = dir + "/out.\(type)"
                XCTAssertEqual(outcome.errors, [], "\(input) -> \(type)")
                XCTAssertEqual(outcome.inputProblems, [], "\(input) -> \(type)")
                XCTAssertEqual(try FFmpegCheck.complaints(output), "", "\(input) -> \(type)")
                XCTAssertEqual(try streamKinds(output), try streamKinds(source), "\(input) -> \(type)")
                for stream in try streamKinds(source) {
                    XCTAssertEqual(try hashes(output, stream), try hashes(source, stream), "\(input) -> \(type), stream \(stream)")
                }
                // ffmpeg's TS carries the new SPS in band, and so does its FLV of the same content
                // (one sequence header, the new SPS and PPS in the first 640x480 key frame): both
                // readers turn it into a second sample description.
                if input.contains("resolution_change") && type == "mp4" {
                    let stsd = try BoxTree(path: output).first("moov")?.descendant("trak", "mdia", "minf", "stbl", "stsd")
                    XCTAssertEqual(try stsd?.decode(SampleDescriptionBox.self).entries.count, 2, "one MP4, two sample descriptions")
                }
            }
        }
    }

    /// chunkLength=2 over 10 s with a keyframe every second: parts of 2 s, each starting with a
    /// keyframe; concatenated, their frames are the source's, none lost, none doubled.
    func testTwoSecondChunksOfATenSecondStream() throws {
        try FFmpegCheck.require()
        let source = TestPaths.fixture("ts/h264_aac_10s.ts")
        let (outcome, _) = try record(source, type: "mp4", extra: [("chunkLength", "2"), ("waitForIDR", "1")])
        XCTAssertEqual(outcome.errors, [])
        XCTAssertEqual(outcome.finalized.count, 5, "\(outcome.finalized)")
        var video: [Substring] = [], audio: [String] = []
        // Finalizing runs two at a time, so completions come in any order.
        for path in outcome.finalized.sorted() {
            XCTAssertEqual(try FFmpegCheck.complaints(path), "", path)
            let first = try ExternalTool.run("ffprobe", ["-v", "error", "-select_streams", "v", "-show_entries", "packet=flags",
                                                         "-of", "csv=p=0", "-read_intervals", "%+#1", path])
            XCTAssertTrue(first.stdout.hasPrefix("K"), "\(path) starts with a keyframe: \(first.stdout)")
            video += try hashes(path, "v")
            audio += try FFmpegCheck.packetHashes(path, stream: "a")
        }
        XCTAssertEqual(video, try hashes(source, "v"), "decoded video frames of the parts")
        // Audio is compared packet by packet: an AAC decoder restarted at each part's start
        // decodes its first frames differently, though every packet is there once.
        XCTAssertEqual(audio, try FFmpegCheck.packetHashes(source, stream: "a", bitstreamFilter: "aac_adtstoasc"), "audio packets of the parts")
    }

    /// A TS whose timestamps wrap past 2^33 records to one continuous file.
    func testTimestampWrapGivesAContinuousFile() throws {
        try FFmpegCheck.require()
        let source = TestPaths.fixture("ts/h264_aac_wrap.ts")
        let (outcome, dir) = try record(source, type: "mp4")
        XCTAssertEqual(outcome.errors, [])
        let output = dir + "/out.mp4"
        XCTAssertEqual(try FFmpegCheck.complaints(output), "")
        let video = try XCTUnwrap(FFmpegCheck.streams(output).first { $0.kind == "video" })
        XCTAssertEqual(video.duration, 3.0, accuracy: 0.05)
        let dts = try ExternalTool.run("ffprobe", ["-v", "error", "-select_streams", "v", "-show_entries", "packet=dts_time",
                                                   "-of", "csv=p=0", output]).stdout.split(separator: "\n").compactMap { Double($0) }
        XCTAssertEqual(dts.count, 75)
        XCTAssertEqual(dts, dts.sorted(), "monotonic")
        XCTAssertEqual(try hashes(output, "v"), try hashes(source, "v"))
    }

    /// Truncated files, random bytes and lost packets: no crash; what is sound is recorded and
    /// the outcome says what was skipped.
    func testMalformedInputKeepsWhatIsSound() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("malformed")
        let ts = try Data(contentsOf: URL(fileURLWithPath: TestPaths.fixture("ts/h264_aac.ts")))
        // Lost packets: every 40th 188-byte packet removed.
        var lossy = Data()
        for (i, start) in stride(from: 0, to: ts.count, by: 188).enumerated() where i % 40 != 39 {
            lossy.append(ts[start..<min(start + 188, ts.count)])
        }
        let cases: [(String, Data)] = [
            ("truncated.ts", ts.prefix(ts.count / 2 + 77)),
            ("lossy.ts", lossy),
            ("random.ts", Data((0..<200_000).map { _ in UInt8.random(in: 0...255) })),
            ("truncated.flv", try Data(contentsOf: URL(fileURLWithPath: TestPaths.fixture("flv/h264_aac.flv"))).prefix(60_001)),
        ]
        for (name, bytes) in cases {
            let input = dir + "/" + name
            try bytes.write(to: URL(fileURLWithPath: input))
            let (outcome, out) = try record(input, type: "mp4")
            XCTAssertEqual(outcome.errors, [], name)
            let output = out + "/out.mp4"
            if name == "random.ts" {
                XCTAssertFalse(FileSystem.exists(output), "random bytes hold no stream")
                XCTAssertFalse(outcome.inputProblems.isEmpty, "random bytes are reported")
                continue
            }
            XCTAssertEqual(try FFmpegCheck.complaints(output).contains("Invalid"), false, name)
            let frames = try FFmpegCheck.streams(output).first { $0.kind == "video" }?.frames ?? 0
            XCTAssertGreaterThan(frames, 10, "\(name): the sound part is recorded")
            if name != "truncated.flv" { XCTAssertFalse(outcome.inputProblems.isEmpty, "\(name): what was skipped is said") }
        }
    }
}
