import XCTest
import Foundation
import MediaCore
import MP4Finalizer
import Recorder
import StagingWriter
import TestSupport

/// mp4writer killed (SIGKILL) at every step of writing the output, then run again, must give
/// the same bytes as a run that was never interrupted, and at no instant may both the set and
/// a complete MP4 be missing.
final class FinalizeCrashTests: XCTestCase {
    private func mp4writer(_ arguments: [String]) throws -> ExternalTool.Output {
        try ExternalTool.run(TestPaths.executable("mp4writer"), arguments)
    }

    func testKilledAtEveryStepThenRerunGivesTheSameFile() throws {
        let dir = TestPaths.temporaryDirectory("finalize-crash")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let master = dir + "/master.mp4"
        try MP4FileSource(path: TestPaths.fixture("mp4/h264_aac.mp4")).writeStagingSet(output: master)
        var trials = 0
        for strategy in ["inplace", "copy"] {
            let reference = dir + "/reference-\(strategy).mp4"
            try TestPaths.copyStagingSet(master, to: reference)
            XCTAssertEqual(try mp4writer(["-path=\(reference)", "--strategy=\(strategy)"]).status, 0)
            let expected = try Data(contentsOf: URL(fileURLWithPath: reference))
            let steps = strategy == "inplace" ? FinalizeStep.allCases : [.headerWritten, .renamed]
            for step in steps {
                for repeatIndex in 0..<4 {
                    trials += 1
                    let output = dir + "/\(strategy)-\(step.rawValue)-\(repeatIndex).mp4"
                    try TestPaths.copyStagingSet(master, to: output)
                    let killed = try mp4writer(["-path=\(output)", "--strategy=\(strategy)", "--crash-after=\(step.rawValue)"])
                    XCTAssertNotEqual(killed.status, 0, "\(strategy) \(step): should have been killed")
                    // Never neither: the set (its .mdat, possibly with the header inserted) or the MP4.
                    XCTAssertTrue(FileSystem.exists(output + ".mdat") || FileSystem.exists(output),
                                  "\(strategy) \(step): neither the set nor the MP4 exists")
                    let rerun = try mp4writer(["-path=\(output)", "--strategy=\(strategy)"])
                    XCTAssertEqual(rerun.status, 0, "\(strategy) \(step): \(rerun.stderr)")
                    XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: output)), expected,
                                   "\(strategy) \(step): the rerun must give the uninterrupted bytes")
                    for suffix in [".info", ".mdat", ".track1", ".track2", ".partial", ".journal"] {
                        XCTAssertFalse(FileSystem.exists(output + suffix), "\(strategy) \(step): \(suffix) left behind")
                    }
                }
            }
        }
        XCTAssertGreaterThanOrEqual(trials, 20)
        print("finalize crash trials: \(trials), all reran to the uninterrupted bytes")
    }

    /// A journal whose header was damaged after the insert: the range is taken out again and
    /// the set finalized afresh, to the same bytes.
    func testDamagedJournalHeaderAfterInsertIsUndoneAndRedone() throws {
        let dir = TestPaths.temporaryDirectory("finalize-undo")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let master = dir + "/master.mp4", reference = dir + "/reference.mp4", output = dir + "/out.mp4"
        try MP4FileSource(path: TestPaths.fixture("mp4/h264_aac.mp4")).writeStagingSet(output: master)
        try TestPaths.copyStagingSet(master, to: reference)
        try TestPaths.copyStagingSet(master, to: output)
        XCTAssertEqual(try mp4writer(["-path=\(reference)", "--strategy=inplace"]).status, 0)
        XCTAssertNotEqual(try mp4writer(["-path=\(output)", "--strategy=inplace", "--crash-after=rangeInserted"]).status, 0)
        let header = try FileDescriptor.open(output + ".journal", .readWrite)
        try header.writeAll([0xFF, 0xFF], toAbsoluteOffset: 100)
        try header.close()
        let rerun = try mp4writer(["-path=\(output)", "--strategy=inplace"])
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: output)), try Data(contentsOf: URL(fileURLWithPath: reference)))
    }

    /// On a filesystem without insert-range (tmpfs), auto falls back to the kernel copy.
    func testAutoFallsBackWhereInsertRangeIsMissing() throws {
        guard FileSystem.isDirectory("/dev/shm") else { throw XCTSkip("no /dev/shm tmpfs on this machine") }
        let dir = "/dev/shm/sr-fallback-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let output = dir + "/rec.mp4"
        try MP4FileSource(path: TestPaths.fixture("mp4/h264_aac.mp4")).writeStagingSet(output: output)
        let result = try mp4writer(["-path=\(output)", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        XCTAssertTrue(["copy", "readwrite"].contains(report?["strategy"] as? String ?? ""), result.stdout)
        let forced = dir + "/forced.mp4"
        try MP4FileSource(path: TestPaths.fixture("mp4/h264_aac.mp4")).writeStagingSet(output: forced)
        let refused = try mp4writer(["-path=\(forced)", "--strategy=inplace"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("INSERT_RANGE"), refused.stderr)
        XCTAssertTrue(FileSystem.exists(forced + ".mdat") && !FileSystem.exists(forced + ".journal"), "the refused set is left as it was")
    }
}
