import XCTest
import Foundation
import ISOBMFF
import MediaCore
import MP4Finalizer
import Recorder
import StagingWriter
import TestSupport

/// Damage other than a clean cut: payload bytes that a power cut zeroed or garbled, a lost or
/// corrupt .info, a missing track file, a track file from another recording. mp4writer runs as
/// a subprocess, as an operator runs it.
final class DamageRecoveryTests: XCTestCase {
    private let source = SourceSet.shared

    private func freshCopy(_ label: String) throws -> String {
        let dir = TestPaths.temporaryDirectory(label)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return try source.copy(to: dir)
    }

    /// How a power cut leaves the set: never closed (.info says open), or .info not even there.
    enum SetState: String, CaseIterable {
        case notClosed, infoLost, closedCleanly
    }

    /// Zeros (blocks that never reached the disk) and random bytes (garbage) over the tail of
    /// .mdat, for a set that never closed, one whose .info is lost, and a cleanly closed one:
    /// with --recovery exactly the samples whose bytes changed are dropped, and the JSON report
    /// says so per track, with the reason.
    func testDamagedPayloadTailDropsExactlyTheDamagedSamples() throws {
        try FFmpegCheck.require()
        var generator = SeededGenerator(seed: 0x5EED_0004)
        let boundaries = source.records.values.flatMap { $0.map { Int($0.offset) } }.sorted()
        // One start on a sample boundary, one inside a sample, both in the last fifth.
        let starts = [boundaries[boundaries.count * 17 / 20], boundaries[boundaries.count * 9 / 10] + 101]
        for (stateIndex, state) in SetState.allCases.enumerated() {
            for (fillIndex, fill) in ["zeros", "random"].enumerated() {
                let start = starts[(stateIndex + fillIndex) % 2]
                let context = "\(fill) from \(start) in a set \(state.rawValue)"
                let output = try freshCopy("payload")
                let original = try FileSystem.readFile(output + ".mdat")
                var damaged = original
                for i in start..<damaged.count { damaged[i] = fill == "zeros" ? 0 : UInt8.random(in: 0...255, using: &generator) }
                try overwrite(output + ".mdat", with: damaged[...])
                try put(output, in: state)

                // Exactly the samples whose bytes changed are damaged; with a tail that is a
                // decode-order suffix of each track.
                var kept: [UInt32: Int] = [:]
                for (track, records) in source.records {
                    let intact = records.map { damaged[Int($0.offset)..<Int($0.end)] == original[Int($0.offset)..<Int($0.end)] }
                    kept[track] = intact.prefix { $0 }.count
                    XCTAssertFalse(intact.dropFirst(kept[track]!).contains(true), "\(context): the damage should be a suffix of track \(track)")
                }
                XCTAssertLessThan(kept.values.reduce(0, +), 217 - 20, "\(context): the damage should hit a few dozen samples")

                if state != .closedCleanly {
                    let refused = try MP4Writer.finalize(output)
                    XCTAssertEqual(refused.status, 1, "\(context): a damaged set must be refused without --recovery")
                    XCTAssertTrue(refused.stderr.contains("payload checksum mismatch") && refused.stderr.contains("--recovery"), "\(context): \(refused.stderr)")
                    XCTAssertFalse(FileSystem.exists(output), "\(context): refused, but an MP4 was written")
                }
                let result = try MP4Writer.finalize(output, ["--recovery"])
                XCTAssertEqual(result.status, 4, "\(context): \(result.stderr)")
                let report = try XCTUnwrap(result.report, context)
                for t in report.tracks {
                    let lost = source.records[t.trackID]!.count - kept[t.trackID]!
                    XCTAssertEqual(t.samples, kept[t.trackID], "\(context): track \(t.trackID) samples")
                    XCTAssertEqual(t.dropped, lost > 0 ? ["payload checksum mismatch": lost] : [:], "\(context): track \(t.trackID) dropped")
                    XCTAssertEqual(t.unreadableRecords, 0, context)
                    if lost > 0 {
                        XCTAssertTrue(report.problems.contains("track \(t.trackID): \(lost) sample(s) dropped: payload checksum mismatch"),
                                      "\(context): \(report.problems)")
                    }
                }
                if state == .infoLost {
                    XCTAssertTrue(report.problems.contains { $0.contains(".info: missing") }, "\(context): \(report.problems)")
                }
                try StructureCheck.assertHolds(output, kept: kept, context)
                try InteropCheck.assertDecodesToSource(output, kept: kept, context)
            }
        }
    }

    /// A cleanly closed set is trusted: its payloads were synced before .info said closed, so
    /// mp4writer does not read them without --recovery (damage after the close, a failing
    /// disk, is found only with --recovery, as the test above shows).
    func testCleanlyClosedSetIsNotReadWithoutRecovery() throws {
        let output = try freshCopy("closed")
        let mdat = try FileDescriptor.open(output + ".mdat", .readWrite)
        try mdat.writeAll([UInt8](repeating: 0, count: 1000), toAbsoluteOffset: Int64(source.mdatSize - 1000))
        try mdat.close()
        let result = try MP4Writer.finalize(output)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.report?.recoveredWithLosses, false)
    }

    /// .info lost or corrupt: every track is read from its own file; all samples kept.
    func testLostOrCorruptInfoKeepsEverySample() throws {
        try FFmpegCheck.require()
        for damage in ["lost", "corrupt"] {
            let output = try freshCopy("info-\(damage)")
            if damage == "lost" {
                try FileSystem.remove(output + ".info")
            } else {
                let info = try FileDescriptor.open(output + ".info", .readWrite)
                try info.writeAll([0x5A, 0xA5], toAbsoluteOffset: 40)
                try info.close()
            }
            let refused = try MP4Writer.finalize(output)
            XCTAssertEqual(refused.status, 1, "\(damage) .info without --recovery: \(refused.stderr)")
            XCTAssertTrue(refused.stderr.contains(".info") && refused.stderr.contains("--recovery"), refused.stderr)

            let result = try MP4Writer.finalize(output, ["--recovery"])
            XCTAssertEqual(result.status, 4, "\(damage) .info: \(result.stderr)")
            let report = try XCTUnwrap(result.report)
            XCTAssertEqual(report.tracks.map(\.samples), [75, 142], "\(damage) .info")
            XCTAssertTrue(report.tracks.allSatisfy { $0.dropped.isEmpty && $0.unreadableRecords == 0 })
            let expectedProblem = damage == "lost" ? ".info: missing" : "info checksum mismatch"
            XCTAssertTrue(report.problems.contains { $0.contains(expectedProblem) }, "\(damage): \(report.problems)")
            let all = Dictionary(uniqueKeysWithValues: source.trackIDs.map { ($0, source.records[$0]!.count) })
            try StructureCheck.assertHolds(output, kept: all, "\(damage) .info")
            try InteropCheck.assertDecodesToSource(output, kept: all, "\(damage) .info")
        }
    }

    /// One track file missing: the other track is still recovered, whole.
    func testMissingTrackFileKeepsTheOtherTrack() throws {
        try FFmpegCheck.require()
        for missing in source.trackIDs {
            let output = try freshCopy("missing-track")
            try FileSystem.remove(output + ".track\(missing)")
            let other = source.trackIDs.first { $0 != missing }!
            let refused = try MP4Writer.finalize(output)
            XCTAssertEqual(refused.status, 1, refused.stderr)
            XCTAssertTrue(refused.stderr.contains(".track\(missing)") && refused.stderr.contains("--recovery"), refused.stderr)

            let result = try MP4Writer.finalize(output, ["--recovery"])
            XCTAssertEqual(result.status, 4, result.stderr)
            XCTAssertEqual(result.report?.tracks.map(\.trackID), [other])
            XCTAssertTrue(result.report?.problems.contains { $0.contains(".track\(missing)") } ?? false, "\(result.report?.problems ?? [])")
            let kept = [other: source.records[other]!.count]
            try StructureCheck.assertHolds(output, kept: kept, "track \(missing) missing")
            try InteropCheck.assertDecodesToSource(output, kept: kept, "track \(missing) missing")
        }
    }

    /// A track file left by another recording of the same name (its set id differs) is not
    /// mixed in: it is reported and ignored, and the set's own tracks are recovered.
    func testTrackFileFromAnotherRecordingIsIgnored() throws {
        let output = try freshCopy("foreign")
        let otherDir = TestPaths.temporaryDirectory("foreign-other")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: otherDir) }
        // The same clip recorded again: same tracks, same samples, another set id.
        try MP4FileSource(path: SourceSet.fixture).writeStagingSet(output: otherDir + "/rec.mp4")
        try FileSystem.remove(output + ".track2")
        try FileManager.default.copyItem(atPath: otherDir + "/rec.mp4.track2", toPath: output + ".track2")

        let refused = try MP4Writer.finalize(output)
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("belongs to another recording"), refused.stderr)
        let result = try MP4Writer.finalize(output, ["--recovery"])
        XCTAssertEqual(result.status, 4, result.stderr)
        XCTAssertEqual(result.report?.tracks.map(\.trackID), [1], "the foreign track 2 must not be mixed in")
        XCTAssertTrue(result.report?.problems.contains { $0.contains("rec.mp4.track2: belongs to another recording") } ?? false,
                      "\(result.report?.problems ?? [])")
        try StructureCheck.assertHolds(output, kept: [1: 75], "foreign track 2")
        XCTAssertFalse(FileSystem.exists(output + ".track2"), "the foreign file goes with the set it was found in")
    }

    /// Without --recovery a damaged set is refused: exit code 1, a message that names the
    /// damage and suggests --recovery, and the set left exactly as it was.
    func testDamagedSetIsRefusedWithoutRecovery() throws {
        let cases: [(String, (String) throws -> Void, [String])] = [
            ("torn track file", { try overwrite($0 + ".track1", with: try FileSystem.readFile($0 + ".track1").dropLast(13)) },
             ["track 1", "torn record at the end (27 bytes)", "74 intact samples, but 75 were recorded"]),
            ("short .mdat", { try overwrite($0 + ".mdat", with: try FileSystem.readFile($0 + ".mdat").dropLast(5000)) },
             ["points past the end of .mdat", "bytes, but 146014 were recorded"]),
        ]
        for (name, damage, mentions) in cases {
            let output = try freshCopy("refused")
            try damage(output)
            let before = try snapshot(output)
            let result = try MP4Writer.run(["-path=\(output)"])
            XCTAssertEqual(result.status, 1, "\(name): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("the staging set is damaged"), "\(name): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("run again with --recovery"), "\(name): \(result.stderr)")
            for mention in mentions { XCTAssertTrue(result.stderr.contains(mention), "\(name): '\(mention)' not in \(result.stderr)") }
            XCTAssertFalse(FileSystem.exists(output) || FileSystem.exists(output + ".partial"), "\(name): refused, but output written")
            XCTAssertEqual(try snapshot(output), before, "\(name): a refused set must be left as it was")

            let json = try MP4Writer.run(["-path=\(output)", "--json"])
            XCTAssertEqual(json.status, 1)
            let object = try JSONSerialization.jsonObject(with: json.stdoutData) as? [String: Any]
            XCTAssertEqual(object?["status"] as? String, "failure", json.stdout)
            XCTAssertTrue((object?["error"] as? String)?.contains("--recovery") ?? false, json.stdout)
        }
    }

    private func put(_ output: String, in state: SetState) throws {
        switch state {
        case .closedCleanly:
            break
        case .infoLost:
            try FileSystem.remove(output + ".info")
        case .notClosed:
            var info = try StagingInfo(decoding: try FileSystem.readFile(output + ".info"), path: output + ".info")
            info.closedCleanly = false
            try FileSystem.writeAtomically(info.encoded(), to: output + ".info")
        }
    }

    /// Every file of the set with its bytes.
    private func snapshot(_ output: String) throws -> [String: [UInt8]] {
        let directory = FileSystem.directoryName(output)
        var files: [String: [UInt8]] = [:]
        for name in FileSystem.listDirectory(directory) { files[name] = try FileSystem.readFile(directory + "/" + name) }
        return files
    }
}
