import XCTest
import Foundation
import MediaCore
import MP4Finalizer
import Recorder
import StagingWriter
import SyntheticMedia
import TestSupport

/// `mp4writer --batch DIR` over a recordings tree, as an operator runs it after a crash.
final class BatchRecoveryTests: XCTestCase {
    private let source = SourceSet.shared

    /// A tree with a complete set, damaged sets, a live recording (a StagingWriter held open
    /// here: its flock makes the set live), leftovers of an interrupted finalize, and files
    /// that are not staging sets. Dry run first (changes nothing), then the real run, then a
    /// second run that finds nothing but the live set, then the live set closed and finalized.
    func testBatchOverAMixedTreeDoesTheRightThingForEachSet() throws {
        try FFmpegCheck.require()
        let root = TestPaths.temporaryDirectory("batch")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        for folder in ["cam1", "cam2/2026", "live", "done", "other", "outside"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        let complete = try source.copy(to: root + "/cam1", name: "complete.mp4")
        let torn = try source.copy(to: root + "/cam2/2026", name: "torn.mp4")
        try overwrite(torn + ".track1", with: try FileSystem.readFile(torn + ".track1").prefix(48 + 40 * (3 + 30) + 7))
        let zeroed = try source.copy(to: root + "/cam2/2026", name: "zeroed.mp4")
        var info = try StagingInfo(decoding: try FileSystem.readFile(zeroed + ".info"), path: zeroed + ".info")
        info.closedCleanly = false  // a power cut: never closed, the last blocks of .mdat zeros
        try FileSystem.writeAtomically(info.encoded(), to: zeroed + ".info")
        let mdat = try FileSystem.readFile(zeroed + ".mdat")
        try overwrite(zeroed + ".mdat", with: (mdat.prefix(120_000) + [UInt8](repeating: 0, count: mdat.count - 120_000))[...])

        // A live recording: a few samples flushed, the writer still open.
        let live = root + "/live/now.mp4"
        let writer = try StagingWriter(output: live)
        try writer.addTrack(SyntheticSource.trackDescription)
        let synthetic = SyntheticSource(sampleCount: 100)
        for i in 0..<40 { try writer.append(synthetic.frame(i)) }
        try writer.flush()

        // Leftovers: the MP4 is complete, the removal of the set was interrupted.
        let done = try source.copy(to: root + "/done", name: "done.mp4")
        XCTAssertEqual(try MP4Writer.run(["-path=\(done)", "--quiet"]).status, 0)
        try FileManager.default.copyItem(atPath: source.output + ".info", toPath: done + ".info")
        try FileManager.default.copyItem(atPath: source.output + ".track2", toPath: done + ".track2")
        let doneBytes = try FileSystem.readFile(done)

        // Not staging sets: never touched. A link to a folder outside is not followed.
        try FileManager.default.copyItem(atPath: SourceSet.fixture, toPath: root + "/other/clip.mp4")
        try Data("notes".utf8).write(to: URL(fileURLWithPath: root + "/other/notes.txt"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/other/raw.mdat"))
        try Data("y".utf8).write(to: URL(fileURLWithPath: root + "/other/clip.mp4.bak"))
        let outside = TestPaths.temporaryDirectory("batch-outside")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: outside) }
        _ = try source.copy(to: outside, name: "elsewhere.mp4")
        try FileManager.default.createSymbolicLink(atPath: root + "/outside/link", withDestinationPath: outside)
        let unrelated = try snapshot(root + "/other")

        // Dry run: the verdicts, and not one byte changed.
        let before = try snapshot(root)
        let dry = try MP4Writer.batch(root, ["--dry-run"])
        XCTAssertEqual(try snapshot(root), before, "a dry run must change nothing")
        XCTAssertEqual(dry.status, 4, dry.stdout + dry.stderr)
        XCTAssertEqual(outcomes(dry.report), [
            "cam1/complete.mp4": .wouldFinalize, "cam2/2026/torn.mp4": .wouldRecover, "cam2/2026/zeroed.mp4": .wouldRecover,
            "done/done.mp4": .wouldRemoveLeftovers, "live/now.mp4": .liveSkipped,
        ], dry.stdout)

        // The real run.
        let first = try MP4Writer.batch(root)
        XCTAssertEqual(first.status, 4, "recovered with losses: \(first.stdout) \(first.stderr)")
        let report = try XCTUnwrap(first.report, first.stdout)
        XCTAssertEqual(outcomes(report), [
            "cam1/complete.mp4": .finalized, "cam2/2026/torn.mp4": .recoveredWithLosses, "cam2/2026/zeroed.mp4": .recoveredWithLosses,
            "done/done.mp4": .leftoversRemoved, "live/now.mp4": .liveSkipped,
        ], first.stdout)
        let all = Dictionary(uniqueKeysWithValues: source.trackIDs.map { ($0, source.records[$0]!.count) })
        try StructureCheck.assertHolds(complete, kept: all, "complete set")
        XCTAssertEqual(entry(report, torn)?.tracks.map(\.kept), [30, 142])
        XCTAssertEqual(entry(report, torn)?.tracks.first?.unreadableRecords, 1, "the torn record")
        try StructureCheck.assertHolds(torn, kept: [1: 30, 2: 142], "torn set")
        try InteropCheck.assertDecodesToSource(torn, kept: [1: 30, 2: 142], "torn set")
        let zeroedKept = source.keptAfterTruncatingMdat(to: 120_000)
        XCTAssertEqual(entry(report, zeroed)?.tracks.map(\.kept), source.trackIDs.map { zeroedKept[$0]! })
        XCTAssertEqual(entry(report, zeroed)?.tracks.map { $0.dropped["payload checksum mismatch"] ?? 0 },
                       source.trackIDs.map { source.records[$0]!.count - zeroedKept[$0]! })
        try StructureCheck.assertHolds(zeroed, kept: zeroedKept, "zeroed set")
        try InteropCheck.assertDecodesToSource(zeroed, kept: zeroedKept, "zeroed set")
        XCTAssertEqual(try FileSystem.readFile(done), doneBytes, "a complete MP4 is never rewritten from leftovers")
        for output in [complete, torn, zeroed, done] {
            XCTAssertEqual(BatchFinalizer.stagingFiles(of: StagingPaths(output: output)), [], output)
        }
        XCTAssertTrue(FileSystem.exists(live + ".mdat") && !FileSystem.exists(live), "the live set is left alone")
        XCTAssertEqual(try snapshot(root + "/other"), unrelated, "files that are not staging sets are never touched")
        XCTAssertTrue(FileSystem.exists(outside + "/elsewhere.mp4.mdat") && !FileSystem.exists(outside + "/elsewhere.mp4"),
                      "a symbolic link out of the tree is not followed")

        // The table an operator reads in the cron log.
        let text = try MP4Writer.run(["--batch", root, "--dry-run"])
        XCTAssertTrue(text.stdout.contains("live/now.mp4") && text.stdout.contains("live, skipped"), text.stdout)

        // A second run: nothing to do but to skip the live set again.
        let afterFirst = try snapshot(root)
        let second = try MP4Writer.batch(root)
        XCTAssertEqual(second.status, 0, second.stdout)
        XCTAssertEqual(outcomes(second.report), ["live/now.mp4": .liveSkipped], second.stdout)
        XCTAssertEqual(try snapshot(root), afterFirst, "a second run must change nothing")

        // The recording ends: the next run finalizes it, and the one after finds nothing.
        try writer.close()
        let third = try MP4Writer.batch(root)
        XCTAssertEqual(third.status, 0, third.stdout)
        XCTAssertEqual(outcomes(third.report), ["live/now.mp4": .finalized], third.stdout)
        XCTAssertEqual(entry(third.report!, live)?.tracks.map(\.kept), [40])
        let fourth = try MP4Writer.batch(root)
        XCTAssertEqual(fourth.status, 0)
        XCTAssertEqual(fourth.report?.entries.count, 0, fourth.stdout)
        let quiet = try MP4Writer.run(["--batch", root])
        XCTAssertTrue(quiet.stdout.contains("no staging sets under"), quiet.stdout)
    }

    /// Sets that need a person make the run exit 1, and stay where they are: a set with no
    /// intact sample, sample records without their .mdat, an incomplete output whose set is gone.
    func testWhatCannotBeRecoveredIsReportedAndLeftInPlace() throws {
        let root = TestPaths.temporaryDirectory("batch-hopeless")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        let empty = try source.copy(to: root, name: "empty.mp4")
        try overwrite(empty + ".mdat", with: [UInt8]()[...])
        let noData = try source.copy(to: root, name: "nodata.mp4")
        try FileSystem.remove(noData + ".mdat")
        try Data([0, 0, 0, 8]).write(to: URL(fileURLWithPath: root + "/stray.mp4.partial"))
        let good = try source.copy(to: root, name: "good.mp4")
        let before = try snapshot(root)

        let result = try MP4Writer.batch(root)
        XCTAssertEqual(result.status, 1, result.stdout)
        XCTAssertEqual(outcomes(result.report), [
            "empty.mp4": .nothingRecoverable, "good.mp4": .finalized, "nodata.mp4": .nothingRecoverable, "stray.mp4": .failed,
        ], result.stdout)
        XCTAssertTrue(entry(result.report!, noData)?.messages.first?.contains("missing, so the recorded samples are gone") ?? false,
                      "\(entry(result.report!, noData)?.messages ?? [])")
        XCTAssertTrue(entry(result.report!, root + "/stray.mp4")?.messages.first?.contains("stray.mp4.partial") ?? false)
        var expected = before
        for suffix in [".info", ".mdat", ".track1", ".track2"] { expected.removeValue(forKey: "good.mp4" + suffix) }
        var after = try snapshot(root)
        XCTAssertNotNil(after.removeValue(forKey: "good.mp4"))
        XCTAssertEqual(after, expected, "what cannot be recovered stays as it was")
        _ = good

        let text = try MP4Writer.run(["--batch", root])
        XCTAssertEqual(text.status, 1)
        XCTAssertTrue(text.stdout.contains("nothing recoverable") && text.stdout.contains("FAILED"), text.stdout)
    }

    func testUsageAndMissingFolder() throws {
        let missing = try MP4Writer.batch("/nonexistent/recordings")
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/recordings") && missing.stderr.contains("No such file"), missing.stderr)
        for arguments in [["--batch", "/tmp", "-path=/tmp/x.mp4"], ["--dry-run", "-path=/tmp/x.mp4"],
                          ["--batch", "/tmp", "--force"], ["--batch", "/tmp", "--keep-staging"], ["--batch"]] {
            let result = try MP4Writer.run(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("usage:"), result.stderr)
        }
    }

    /// scripts/repair-recordings.sh: repairs the tree, and a second copy started while the
    /// first holds the lock exits at once without touching anything.
    func testRepairScriptRepairsAndNeverOverlaps() throws {
        guard ExternalTool.find("flock") != nil else { throw XCTSkip("flock(1) not installed (util-linux)") }
        let root = TestPaths.temporaryDirectory("script")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/media", withIntermediateDirectories: true)
        let output = try source.copy(to: root + "/media", name: "rec.mp4")
        let script = TestPaths.repositoryRoot.appendingPathComponent("scripts/repair-recordings.sh").path
        let environment = ["MP4WRITER": MP4Writer.path, "LOCK_FILE": root + "/repair.lock"]

        // Another run holds the lock (flock(1) takes the same flock(2) lock).
        let lock = try FileDescriptor.open(root + "/repair.lock", [.readWrite, .create])
        XCTAssertTrue(try lock.tryLockExclusive())
        let skipped = try run(script, [root + "/media"], environment: environment)
        XCTAssertEqual(skipped.status, 0, skipped.stderr)
        XCTAssertTrue(skipped.stdout.contains("already running"), skipped.stdout)
        XCTAssertFalse(FileSystem.exists(output), "a run that found the lock taken must not touch the tree")
        try lock.close()

        let repaired = try run(script, [root + "/media"], environment: environment)
        XCTAssertEqual(repaired.status, 0, repaired.stdout + repaired.stderr)
        XCTAssertTrue(repaired.stdout.contains("rec.mp4") && repaired.stdout.contains("finalized"), repaired.stdout)
        XCTAssertTrue(FileSystem.exists(output) && !FileSystem.exists(output + ".mdat"))
    }

    // MARK: - Helpers

    private func outcomes(_ report: BatchReport?) -> [String: BatchReport.Outcome] {
        guard let report else { return [:] }
        return Dictionary(uniqueKeysWithValues: report.entries.map { (String($0.output.dropFirst(report.directory.count + 1)), $0.outcome) })
    }

    private func entry(_ report: BatchReport, _ output: String) -> BatchReport.Entry? {
        report.entries.first { $0.output == output }
    }

    /// Every regular file under `root` (relative path -> bytes); links are not followed.
    private func snapshot(_ root: String) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        var pending = [""]
        while let relative = pending.popLast() {
            let folder = relative.isEmpty ? root : root + "/" + relative
            for name in FileSystem.listDirectory(folder) {
                let path = relative.isEmpty ? name : relative + "/" + name
                let full = root + "/" + path
                if FileSystem.isDirectoryNotLink(full) {
                    pending.append(path)
                } else if (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) == nil {
                    files[path] = try FileSystem.readFile(full)
                }
            }
        }
        return files
    }

    private func run(_ script: String, _ arguments: [String], environment: [String: String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // The script prints a few lines: reading one pipe to its end cannot block on the other.
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}
