import XCTest
import Foundation
import MediaCore
import Recorder
import TestSupport

/// One-shot recordings of the fixtures, by the record command's rules, checked by ffmpeg.
final class OneShotRecordingTests: XCTestCase {
    private func record(_ input: String, _ pairs: [(String, String)], stagingOnly: Bool = false) throws -> OneShotRecording.Outcome {
        let parameters = try RecordParameters(pairs: pairs)
        var recording = OneShotRecording(parameters: parameters, resolvedPath: parameters.pathToFile, input: .file(input))
        recording.mp4writerPath = TestPaths.executable("mp4writer")
        recording.stagingOnly = stagingOnly
        return try recording.run()
    }

    func testUnchunkedMP4RecordingDecodesToTheSourceFrames() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("oneshot")
        let source = TestPaths.fixture("mp4/h264_aac.mp4")
        let outcome = try record(source, [("localStreamName", "cam"), ("pathToFile", dir + "/rec"), ("type", "mp4")])
        XCTAssertEqual(outcome.errors, [])
        XCTAssertEqual(outcome.finalized, [dir + "/rec.mp4"])
        XCTAssertEqual(try FFmpegCheck.complaints(dir + "/rec.mp4"), "")
        func hashes(_ path: String) throws -> [Substring] { try FFmpegCheck.frameHashes(path, stream: "v").map { $0.split(separator: ",").last! } }
        XCTAssertEqual(try hashes(dir + "/rec.mp4"), try hashes(source))
    }

    /// chunkLength=1 with waitForIDR=1 on a stream with a keyframe every second: one file per
    /// second, each starting with a keyframe at time zero, all frames kept once.
    func testChunksSplitOnKeyframesAndStartAtZero() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("chunks")
        let source = TestPaths.fixture("mp4/h264_aac.mp4")
        let outcome = try record(source, [("localStreamName", "cam"), ("pathToFile", dir + "/rec"), ("chunkLength", "1"),
                                          ("waitForIDR", "1")])
        XCTAssertEqual(outcome.errors, [])
        // Finalizing runs two at a time, so completions come in any order.
        let finalized = outcome.finalized.sorted()
        let names = finalized.map { FileSystem.baseName($0) }
        XCTAssertEqual(names, ["rec_part0000.mp4", "rec_part0001.mp4", "rec_part0002.mp4"])
        var videoFrames = 0
        for path in finalized {
            XCTAssertEqual(try FFmpegCheck.complaints(path), "", path)
            let streams = try FFmpegCheck.streams(path)
            // The file starts at zero; audio that is presented just before the keyframe (it
            // arrives after it, interleaved by decode time) keeps its few milliseconds of lead.
            XCTAssertEqual(streams.map(\.startTime).min() ?? -1, 0, accuracy: 0.001, "\(path) starts at zero")
            XCTAssertLessThan(streams.map(\.startTime).max() ?? 1, 0.1, "\(path): streams start together")
            videoFrames += streams.first { $0.kind == "video" }?.frames ?? 0
        }
        XCTAssertEqual(videoFrames, 75, "every video frame recorded exactly once")
        let all = try finalized.flatMap { try FFmpegCheck.frameHashes($0, stream: "v").map { $0.split(separator: ",").last! } }
        let expected = try FFmpegCheck.frameHashes(source, stream: "v").map { $0.split(separator: ",").last! }
        XCTAssertEqual(all, expected, "the chunks together decode to the source's frames")
    }

    func testOverwriteZeroNeverTouchesAnExistingFile() throws {
        let dir = TestPaths.temporaryDirectory("numbering")
        let existing = dir + "/rec.mp4"
        try Data("precious".utf8).write(to: URL(fileURLWithPath: existing))
        let outcome = try record(TestPaths.fixture("mp4/aac_only.mp4"), [("localStreamName", "a"), ("pathToFile", dir + "/rec")])
        XCTAssertEqual(outcome.finalized, [dir + "/rec_1.mp4"])
        XCTAssertEqual(try String(contentsOfFile: existing, encoding: .utf8), "precious")
        let again = try record(TestPaths.fixture("mp4/aac_only.mp4"), [("localStreamName", "a"), ("pathToFile", dir + "/rec")])
        XCTAssertEqual(again.finalized, [dir + "/rec_2.mp4"])
        let replaced = try record(TestPaths.fixture("mp4/aac_only.mp4"), [("localStreamName", "a"), ("pathToFile", dir + "/rec"),
                                                                         ("overwrite", "1")])
        XCTAssertEqual(replaced.finalized, [existing])
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: existing)), Data("precious".utf8))
    }

    func testDateFoldersAndStagingOnly() throws {
        let dir = TestPaths.temporaryDirectory("dates")
        let outcome = try record(TestPaths.fixture("mp4/h264_only.mp4"), [("localStreamName", "v"), ("pathToFile", dir + "/rec"),
                                                                        ("dateFolderStructure", "1")], stagingOnly: true)
        let folder = OutputNaming.dateFolder(time(nil))
        XCTAssertEqual(outcome.chunks.map(\.path), [dir + "/" + folder + "/rec.mp4"])
        XCTAssertTrue(FileSystem.exists(dir + "/" + folder + "/rec.mp4.mdat"), "staging-only leaves the set")
        XCTAssertFalse(FileSystem.exists(dir + "/" + folder + "/rec.mp4"))
    }

    func testBadParametersAreRefusedWithTheirName() {
        XCTAssertThrowsError(try RecordParameters(pairs: [("pathToFile", "/x")])) { XCTAssertEqual("\($0)", "missing parameter localStreamName") }
        XCTAssertThrowsError(try RecordParameters(pairs: [("localStreamName", "a"), ("pathToFile", "/x"), ("type", "avi")])) {
            XCTAssertTrue("\($0)".contains("type"))
        }
        XCTAssertThrowsError(try RecordParameters(pairs: [("localStreamName", "a"), ("pathToFile", "/x"), ("chunkLength", "-1")]))
        XCTAssertThrowsError(try RecordParameters(pairs: [("localStreamName", "a"), ("pathToFile", "/x"), ("overwrite", "2")]))
        XCTAssertThrowsError(try RecordParameters(pairs: [("localStreamName", "a"), ("pathToFile", "/x"), ("bogus", "1")]))
        XCTAssertNoThrow(try RecordParameters(pairs: [("LOCALSTREAMNAME", "a"), ("pathtofile", "/x"), ("WaitForIdr", "0")]))
    }
}
