import XCTest
import Foundation
import ISOBMFF
import MediaCore
import Recorder
import StagingWriter
import SyntheticMedia
import TestSupport

/// mp4writer, run as an operator runs it, checked by ffprobe and ffmpeg: every fixture and
/// every SampleStaging set finalizes to a fast-start MP4 that decodes to the source's frames.
final class FinalizeInteropTests: XCTestCase {
    static let fixtures = ["h264_aac", "h265_aac", "aac_only", "h264_only", "av1_160x120", "vp9_160x120"]

    private func mp4writer(_ arguments: [String]) throws -> ExternalTool.Output {
        try ExternalTool.run(TestPaths.executable("mp4writer"), arguments)
    }

    private func stage(_ fixture: String, in dir: String) throws -> String {
        let output = dir + "/\(fixture).mp4"
        try MP4FileSource(path: TestPaths.fixture("mp4/\(fixture).mp4")).writeStagingSet(output: output)
        return output
    }

    private func assertFastStart(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        // moov before mdat; the in-place strategy pads the header with a free box.
        let types = try BoxTree(path: path).topLevelTypes.map(\.description)
        XCTAssertTrue(types == ["ftyp", "moov", "mdat"] || types == ["ftyp", "moov", "free", "mdat"],
                      "top-level boxes of \(path): \(types)", file: file, line: line)
    }

    /// Every strategy (in place, kernel copy, read/write) gives a file that decodes to the
    /// source's frames, and the files are byte-identical: all put the payload on a block
    /// boundary, padding the header with the same free box.
    func testEveryFixtureFinalizesToTheSameFramesWithEveryStrategy() throws {
        try FFmpegCheck.require()
        for fixture in Self.fixtures {
            var files: [String: Data] = [:]
            // One set, copied for each strategy: a set staged twice differs in its creation time.
            let master = try stage(fixture, in: TestPaths.temporaryDirectory("interop-master"))
            for strategy in ["inplace", "copy", "readwrite"] {
                let output = TestPaths.temporaryDirectory("interop-\(strategy)") + "/\(fixture).mp4"
                try TestPaths.copyStagingSet(master, to: output)
                let result = try mp4writer(["-path=\(output)", "--strategy=\(strategy)", "--json"])
                XCTAssertEqual(result.status, 0, "\(fixture) \(strategy): \(result.stderr)")
                let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
                XCTAssertEqual(report?["strategy"] as? String, strategy)
                XCTAssertEqual(try FFmpegCheck.complaints(output), "", "\(fixture) \(strategy)")
                try assertFastStart(output)
                try FFmpegCheck.assertSameMedia(output, as: TestPaths.fixture("mp4/\(fixture).mp4"))
                for suffix in [".info", ".mdat", ".track1", ".track2", ".partial", ".journal"] {
                    XCTAssertFalse(FileSystem.exists(output + suffix), "\(fixture) \(strategy): \(suffix) left behind")
                }
                files[strategy] = try Data(contentsOf: URL(fileURLWithPath: output))
            }
            XCTAssertEqual(Set(files.values).count, 1, "\(fixture): the strategies wrote different files")
        }
    }

    func testEverySampleStagingSetFinalizes() throws {
        try FFmpegCheck.require()
        let sets = try FileManager.default.contentsOfDirectory(atPath: TestPaths.sampleStaging.path)
            .filter { Self.fixtures.contains($0) }
        XCTAssertEqual(Set(sets), Set(Self.fixtures), "SampleStaging should hold a set per fixture")
        for name in sets {
            let dir = TestPaths.temporaryDirectory("sample-\(name)")
            let source = TestPaths.sampleStaging.appendingPathComponent(name).path
            for file in try FileManager.default.contentsOfDirectory(atPath: source) where file.hasPrefix("recording.mp4.") {
                try FileManager.default.copyItem(atPath: source + "/" + file, toPath: dir + "/" + file)
            }
            let output = dir + "/recording.mp4"
            let result = try mp4writer(["-path=\(output)", "--json"])
            XCTAssertEqual(result.status, 0, "\(name): \(result.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            XCTAssertEqual(report?["output"] as? String, output)
            XCTAssertEqual(try FFmpegCheck.complaints(output), "", name)
            try assertFastStart(output)
            try FFmpegCheck.assertSameMedia(output, as: TestPaths.fixture("mp4/\(name).mp4"))
        }
    }

    /// A finalize interrupted after the rename (staging files still there) reruns to the same
    /// bytes; a rerun after completion has nothing to do.
    func testRerunningIsSafeAndGivesTheSameBytes() throws {
        let dir = TestPaths.temporaryDirectory("rerun")
        let output = try stage("h264_aac", in: dir)
        XCTAssertEqual(try mp4writer(["-path=\(output)", "--keep-staging"]).status, 0)
        let first = try Data(contentsOf: URL(fileURLWithPath: output))
        XCTAssertEqual(try mp4writer(["-path=\(output)", "--strategy=copy"]).status, 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: output)), first, "a rerun must give the same bytes")
        let again = try mp4writer(["--path", output])
        XCTAssertEqual(again.status, 3, "nothing to do: \(again.stderr)")
        XCTAssertTrue(again.stderr.contains("already finalized"), again.stderr)
    }

    func testALiveSetIsRefusedUntilItCloses() throws {
        let dir = TestPaths.temporaryDirectory("live")
        let output = dir + "/live.mp4"
        let writer = try StagingWriter(output: output)
        try writer.addTrack(SyntheticSource.trackDescription)
        try writer.append(SyntheticSource(sampleCount: 1).frame(0))
        try writer.flush()
        let refused = try mp4writer(["-path=\(output)"])
        XCTAssertEqual(refused.status, 6, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("still being recorded"), refused.stderr)
        XCTAssertTrue(FileSystem.exists(output + ".mdat"), "a refused finalize must not touch the set")
        try writer.close()
        XCTAssertEqual(try mp4writer(["-path=\(output)"]).status, 0)
    }

    func testUsageErrorsAndHelp() throws {
        XCTAssertEqual(try mp4writer([]).status, 2)
        XCTAssertEqual(try mp4writer(["--bogus"]).status, 2)
        let help = try mp4writer(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("-path="))
        let missing = try mp4writer(["-path=/nonexistent/dir/x.mp4"])
        XCTAssertEqual(missing.status, 3, missing.stderr)
    }

    /// A stream whose resolution changes mid-way stays one MP4 with two sample descriptions,
    /// and ffmpeg decodes both parts to the sources' frames.
    func testResolutionChangeGivesTwoSampleDescriptions() throws {
        try FFmpegCheck.require()
        let first = try MP4FileSource(path: TestPaths.fixture("mp4/h264_only.mp4"))
        let second = try MP4FileSource(path: TestPaths.fixture("mp4/h264_640x480.mp4"))
        let output = TestPaths.temporaryDirectory("reschange") + "/change.mp4"
        let writer = try StagingWriter(output: output)
        try writer.addTrack(first.tracks[0])
        var lastDTS: Int64 = 0
        for frame in try first.reader.frames() {
            try writer.append(frame)
            lastDTS = frame.dts
        }
        XCTAssertEqual(first.tracks[0].timescale, second.tracks[0].timescale)
        let index = try writer.addSampleDescription(second.tracks[0].sampleDescriptions[0], toTrack: 1)
        let secondFrames = try second.reader.frames()
        let shift = lastDTS + 512 - secondFrames[0].dts
        for var frame in secondFrames {
            frame.dts += shift
            frame.pts += shift
            frame.sampleDescriptionIndex = index
            try writer.append(frame)
        }
        try writer.close()
        let result = try mp4writer(["-path=\(output)"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try FFmpegCheck.complaints(output), "")
        let stsd = try BoxTree(path: output).first("moov")?.descendant("trak", "mdia", "minf", "stbl", "stsd")
        XCTAssertEqual(try stsd?.decode(SampleDescriptionBox.self).entries.count, 2)
        func hashes(_ path: String) throws -> [Substring] {
            try FFmpegCheck.frameHashes(path, stream: "v", outputOptions: ["-autoscale", "0"]).map { $0.split(separator: ",").last! }
        }
        XCTAssertEqual(try hashes(output), try hashes(TestPaths.fixture("mp4/h264_only.mp4")) + hashes(TestPaths.fixture("mp4/h264_640x480.mp4")))
    }
}
