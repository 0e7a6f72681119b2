import XCTest
import Foundation
import MediaCore
import MP4Finalizer
import StagingWriter
import TestSupport

/// SampleStaging/damaged_*: damaged sets made from SampleStaging/h264_aac by the recipes here
/// (the checked-in files must be exactly what the recipes make), each finalized as
/// SampleStaging/README.md says: the exit codes and the samples kept per track are read from
/// its table, so the README cannot drift from what mp4writer does.
///
/// Remake them after changing a recipe or h264_aac/:
/// `SR_WRITE_DAMAGED_SAMPLES=1 swift test --filter RecoveryTests.DamagedSampleSetTests`
final class DamagedSampleSetTests: XCTestCase {
    struct Recipe: Sendable {
        let name: String
        let damage: @Sendable (_ output: String) throws -> Void
    }

    static let recipes: [Recipe] = [
        // A kill while a unit of the video track file was being written: 40 samples whole.
        Recipe(name: "damaged_truncated_track") { output in
            try overwrite(output + ".track1", with: try FileSystem.readFile(output + ".track1").prefix(48 + 40 * (3 + 40) + 13))
        },
        // .mdat cut short (a disk filled, a copy stopped) after a cleanly closed recording.
        Recipe(name: "damaged_truncated_mdat") { output in
            try overwrite(output + ".mdat", with: try FileSystem.readFile(output + ".mdat").prefix(100_000))
        },
        // A power cut: the set never closed, and the last 4 KiB blocks of .mdat never reached
        // the disk (the file size did: they read back as zeros).
        Recipe(name: "damaged_zeroed_tail") { output in
            var info = try StagingInfo(decoding: try FileSystem.readFile(output + ".info"), path: output + ".info")
            info.closedCleanly = false
            try overwrite(output + ".info", with: info.encoded()[...])
            var mdat = try FileSystem.readFile(output + ".mdat")
            for i in 31 * 4096..<mdat.count { mdat[i] = 0 }
            try overwrite(output + ".mdat", with: mdat[...])
        },
        // .info lost: every track is read from its own file.
        Recipe(name: "damaged_lost_info") { output in
            try FileSystem.remove(output + ".info")
        },
        // The video track file lost: the audio is still recovered.
        Recipe(name: "damaged_missing_track") { output in
            try FileSystem.remove(output + ".track1")
        },
        // The audio track file is one left by another recording of the same name (its set id
        // differs): it is ignored, not mixed in.
        Recipe(name: "damaged_foreign_track") { output in
            var file = try FileSystem.readFile(output + ".track2")
            var header = try StagingTrackHeader(decoding: Array(file.prefix(StagingFormat.trackHeaderSize)), path: output + ".track2")
            header.setID ^= 0x0123_4567_89AB_CDEF
            file.replaceSubrange(0..<StagingFormat.trackHeaderSize, with: header.encoded())
            try overwrite(output + ".track2", with: file[...])
        },
    ]

    static var sampleStaging: String { TestPaths.sampleStaging.path }

    /// Makes every damaged set under `root/<name>/recording.mp4.*` from h264_aac/.
    static func make(into root: String) throws {
        for recipe in recipes {
            let folder = root + "/" + recipe.name
            try? FileManager.default.removeItem(atPath: folder)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for name in FileSystem.listDirectory(sampleStaging + "/h264_aac") {
                try FileManager.default.copyItem(atPath: sampleStaging + "/h264_aac/" + name, toPath: folder + "/" + name)
            }
            try recipe.damage(folder + "/recording.mp4")
        }
    }

    func testCheckedInSetsAreWhatTheRecipesMake() throws {
        if ProcessInfo.processInfo.environment["SR_WRITE_DAMAGED_SAMPLES"] == "1" {
            try Self.make(into: Self.sampleStaging)
            print("wrote \(Self.recipes.map(\.name)) into \(Self.sampleStaging)")
        }
        let made = TestPaths.temporaryDirectory("damaged-samples")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: made) }
        try Self.make(into: made)
        for recipe in Self.recipes {
            let checkedIn = Self.sampleStaging + "/" + recipe.name
            XCTAssertEqual(FileSystem.listDirectory(checkedIn).sorted(), FileSystem.listDirectory(made + "/" + recipe.name).sorted(),
                           "\(recipe.name): files (remake with SR_WRITE_DAMAGED_SAMPLES=1)")
            for name in FileSystem.listDirectory(made + "/" + recipe.name) {
                XCTAssertEqual(try? FileSystem.readFile(checkedIn + "/" + name), try FileSystem.readFile(made + "/" + recipe.name + "/" + name),
                               "\(recipe.name)/\(name) differs from what its recipe makes (remake with SR_WRITE_DAMAGED_SAMPLES=1)")
            }
        }
    }

    /// One row of the README's table of damaged sets.
    struct Documented {
        var name: String
        var exitWithout: Int32
        var exitWith: Int32
        /// Samples kept per track id (0: the track is not in the MP4).
        var kept: [UInt32: Int]
    }

    /// Reads the table: `| \`damaged_x/\` | damage | exit without | exit with | kept 1 / kept 2 | ... |`.
    static func documented() throws -> [Documented] {
        let readme = try String(contentsOfFile: sampleStaging + "/README.md", encoding: .utf8)
        return readme.split(separator: "\n").compactMap { line -> Documented? in
            guard line.hasPrefix("| `damaged_") else { return nil }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 5, let without = Int32(cells[2]), let with = Int32(cells[3]) else { return nil }
            let counts = cells[4].split(separator: "/").map { Int($0.trimmingCharacters(in: .whitespaces)) ?? 0 }
            var kept: [UInt32: Int] = [:]
            for (index, count) in counts.enumerated() { kept[UInt32(index + 1)] = count }
            return Documented(name: cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`/")),
                              exitWithout: without, exitWith: with, kept: kept)
        }
    }

    func testEachDamagedSetRecoversAsDocumented() throws {
        try FFmpegCheck.require()
        let rows = try Self.documented()
        XCTAssertEqual(rows.map(\.name).sorted(), Self.recipes.map(\.name).sorted(), "SampleStaging/README.md must document every damaged set")
        for row in rows {
            let dir = TestPaths.temporaryDirectory(row.name)
            addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
            for name in FileSystem.listDirectory(Self.sampleStaging + "/" + row.name) {
                try FileManager.default.copyItem(atPath: Self.sampleStaging + "/" + row.name + "/" + name, toPath: dir + "/" + name)
            }
            let output = dir + "/recording.mp4"
            let without = try MP4Writer.finalize(output)
            XCTAssertEqual(without.status, row.exitWithout, "\(row.name) without --recovery: \(without.stderr)")
            if row.exitWithout == 1 { XCTAssertTrue(without.stderr.contains("--recovery"), without.stderr) }
            XCTAssertFalse(FileSystem.exists(output), "\(row.name): refused, but an MP4 was written")

            let with = try MP4Writer.finalize(output, ["--recovery"])
            XCTAssertEqual(with.status, row.exitWith, "\(row.name) with --recovery: \(with.stderr)")
            let report = try XCTUnwrap(with.report, "\(row.name): no JSON report")
            var kept: [UInt32: Int] = [:]
            for track in report.tracks { kept[track.trackID] = track.samples }
            XCTAssertEqual(kept, row.kept.filter { $0.value > 0 }, "\(row.name): samples kept per track")
            try StructureCheck.assertHolds(output, kept: row.kept, row.name)
            try InteropCheck.assertDecodesToSource(output, kept: row.kept, row.name)
        }
    }
}
