import XCTest
import Foundation
import ISOBMFF
import MediaCore
import MP4Finalizer
import StagingWriter
import TestSupport

/// A set cut short anywhere (a crash, a full disk, a copy that stopped) must still give an MP4
/// that holds exactly the samples that were intact, byte for byte, and that ffprobe and ffmpeg
/// accept silently and decode to the source's frames.
///
/// Every cut is finalized with the library (the same code mp4writer runs) and checked by our
/// reader; at every record boundary mp4writer itself runs as an operator would (a fresh copy,
/// `--recovery --json`, exit code, staging files removed); a deterministic sample of the cuts
/// goes through ffprobe/ffmpeg.
final class TruncationRecoveryTests: XCTestCase {
    private let source = SourceSet.shared
    /// The library path: recovery on, the set kept so that the next cut can reuse it.
    private var library: Finalizer {
        var options = FinalizeOptions()
        options.recovery = true
        options.keepStaging = true
        options.strategy = .copy
        return Finalizer(options: options)
    }

    /// Both track files cut, one at a time, at every byte of the header, the descriptions and
    /// the last three units, and at each unit boundary, one byte either side and mid-unit
    /// everywhere else (every byte of every unit took two minutes and found nothing more: a
    /// cut inside a unit is the same torn unit wherever it falls).
    func testTrackFileCutAtEveryUnitBoundaryAndInside() throws {
        try FFmpegCheck.require()
        let dir = scratchDirectory("cut-track")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let output = try source.copy(to: dir)
        let cliDir = dir + "/cli"
        try FileManager.default.createDirectory(atPath: cliDir, withIntermediateDirectories: true)
        var libraryRuns = 0, cliRuns = 0, interopRuns = 0
        let started = Date()

        for track in source.trackIDs {
            let path = output + ".track\(track)"
            let original = try FileSystem.readFile(path)
            let count = source.records[track]!.count
            // The first cut that leaves each number of samples gets the full checks; every other
            // cut leaving as many must give the same bytes (a torn unit adds nothing, loses nothing).
            var firstOutput: [Int: [UInt8]] = [:]
            let interopCounts = Self.interopSample(count: count, gop: track == source.videoTrack ? 25 : nil)  // the fixture's -g 25
            for length in Self.cuts(fileSize: original.count, descriptionUnits: source.descriptionUnits[track]!) {
                try overwrite(path, with: original[0..<length])
                let kept = source.keptAfterTruncatingTrack(track, to: length)
                var expected = Dictionary(uniqueKeysWithValues: source.trackIDs.map { ($0, source.records[$0]!.count) })
                expected[track] = kept
                let context = "track \(track) cut at \(length) of \(original.count) (\(kept) of \(count) samples left)"

                let report = try library.finalize(output: output)
                libraryRuns += 1
                XCTAssertTrue(report.recoveredWithLosses, context)
                XCTAssertEqual(report.tracks.map(\.samples), source.trackIDs.compactMap { expected[$0]! > 0 ? expected[$0] : nil }, context)
                let bytes = try FileSystem.readFile(output)
                if let first = firstOutput[kept] {
                    if bytes != first { XCTFail("\(context): differs from the other cuts that leave as many samples") }
                    continue
                }
                firstOutput[kept] = bytes
                try StructureCheck.assertHolds(output, kept: expected, context)

                // The same cut through the CLI, on a copy, as an operator runs it.
                let copy = try copySet(output, into: cliDir, name: "t\(track)-\(length).mp4")
                let result = try MP4Writer.finalize(copy, ["--recovery"])
                cliRuns += 1
                XCTAssertEqual(result.status, 4, "\(context): \(result.stderr)")
                XCTAssertEqual(result.report?.tracks.first { $0.trackID == track }?.samples ?? 0, kept, context)
                XCTAssertTrue(result.report?.problems.contains { $0.contains("track \(track)") } ?? false,
                              "\(context): the report must name the damaged track: \(result.report?.problems ?? [])")
                XCTAssertFalse(FileSystem.exists(copy + ".mdat") || FileSystem.exists(copy + ".track1") || FileSystem.exists(copy + ".info"),
                               "\(context): staging files left after a recovery")
                try StructureCheck.assertHolds(copy, kept: expected, "\(context), mp4writer")
                if interopCounts.contains(kept) {
                    try InteropCheck.assertDecodesToSource(copy, kept: expected, "\(context), mp4writer")
                    interopRuns += 1
                }
                try? FileManager.default.removeItem(atPath: copy)
            }
            try overwrite(path, with: original[...])
            XCTAssertEqual(Set(firstOutput.keys), Set(0...count - 1), "track \(track): every sample count from 0 to \(count - 1) was produced")
        }
        print("track cuts: \(libraryRuns) finalized by the library, \(cliRuns) by mp4writer, \(interopRuns) checked by ffmpeg, in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }

    /// .mdat cut at every sample boundary and two bytes either side: the samples wholly before
    /// the cut are kept, the rest dropped as "points past the end of .mdat".
    func testMdatCutAtEverySampleBoundary() throws {
        try FFmpegCheck.require()
        let dir = scratchDirectory("cut-mdat")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let output = try source.copy(to: dir)
        let cliDir = dir + "/cli"
        try FileManager.default.createDirectory(atPath: cliDir, withIntermediateDirectories: true)
        let original = try FileSystem.readFile(output + ".mdat")
        let boundaries = Set(source.records.values.flatMap { $0.map { Int($0.end) } } + [0]).sorted()
        var lengths = Set<Int>()
        for b in boundaries { for d in -2...2 where b + d >= 0 && b + d < original.count { lengths.insert(b + d) } }
        // ffmpeg on a deterministic sample: about 30 boundaries spread over the file.
        let interopBoundaries = Set(boundaries.enumerated().filter { $0.offset % (boundaries.count / 30) == 0 || $0.offset == boundaries.count - 2 }.map(\.element))
        var firstOutput: [[Int]: [UInt8]] = [:]
        var libraryRuns = 0, cliRuns = 0, interopRuns = 0, nothingRecoverable = 0
        let started = Date()

        for length in lengths.sorted() {
            try overwrite(output + ".mdat", with: original[0..<length])
            let kept = source.keptAfterTruncatingMdat(to: length)
            let context = ".mdat cut at \(length) of \(original.count) (kept \(kept.sorted { $0.key < $1.key }.map(\.value)))"
            let total = kept.values.reduce(0, +)
            do {
                let report = try library.finalize(output: output)
                libraryRuns += 1
                XCTAssertGreaterThan(total, 0, "\(context): an MP4 without samples")
                XCTAssertTrue(report.recoveredWithLosses, context)
                for t in report.tracks {
                    XCTAssertEqual(t.samples, kept[t.trackID], context)
                    let lost = source.records[t.trackID]!.count - kept[t.trackID]!
                    XCTAssertEqual(t.dropped["points past the end of .mdat"] ?? 0, lost, context)
                }
                // The first cut that keeps these samples gets the full check; the others must
                // give the same bytes (bytes past the last whole sample change nothing).
                let key = source.trackIDs.map { kept[$0]! }
                let bytes = try FileSystem.readFile(output)
                if let first = firstOutput[key] {
                    if bytes != first { XCTFail("\(context): differs from the other cuts that keep as many samples") }
                } else {
                    firstOutput[key] = bytes
                    try StructureCheck.assertHolds(output, kept: kept, context)
                }
            } catch let error as FinalizeError {
                guard case .nothingRecoverable = error else { throw error }
                XCTAssertEqual(total, 0, "\(context): refused although samples were intact: \(error)")
                nothingRecoverable += 1
            }
            guard boundaries.contains(length) else { continue }

            let copy = try copySet(output, into: cliDir, name: "m\(length).mp4")
            let result = try MP4Writer.finalize(copy, ["--recovery"])
            cliRuns += 1
            if total == 0 {
                XCTAssertEqual(result.status, 5, "\(context): \(result.stderr)")
                XCTAssertTrue(result.stderr.contains("nothing recoverable"), result.stderr)
                XCTAssertFalse(FileSystem.exists(copy), "\(context): an MP4 without samples")
                XCTAssertTrue(FileSystem.exists(copy + ".mdat"), "\(context): the set must stay when nothing was recovered")
                continue
            }
            XCTAssertEqual(result.status, 4, "\(context): \(result.stderr)")
            try StructureCheck.assertHolds(copy, kept: kept, "\(context), mp4writer")
            if interopBoundaries.contains(length) {
                try InteropCheck.assertDecodesToSource(copy, kept: kept, "\(context), mp4writer")
                interopRuns += 1
            }
            try? FileManager.default.removeItem(atPath: copy)
        }
        XCTAssertGreaterThan(nothingRecoverable, 0, "the cuts before the first whole sample must recover nothing")
        print(".mdat cuts: \(libraryRuns + nothingRecoverable) by the library (\(nothingRecoverable) nothing recoverable), \(cliRuns) by mp4writer, \(interopRuns) checked by ffmpeg, in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }

    /// Cut lengths for a track file, longest first.
    static func cuts(fileSize: Int, descriptionUnits: Int) -> [Int] {
        let header = StagingFormat.trackHeaderSize, unit = StagingFormat.unitSize
        var lengths = Set(0..<min(fileSize, header + descriptionUnits * unit + 1))
        lengths.formUnion(max(0, fileSize - 3 * unit)..<fileSize)
        for boundary in stride(from: header, to: fileSize, by: unit) {
            lengths.formUnion([boundary - 1, boundary, boundary + 1, boundary + unit / 2].filter { $0 >= 0 && $0 < fileSize })
        }
        return lengths.sorted(by: >)
    }

    /// Sample counts whose cuts go through ffmpeg: the edges, for video each GOP boundary and
    /// its neighbours (B-frames make those the interesting ones), and a spread in between.
    static func interopSample(count: Int, gop: Int?) -> Set<Int> {
        var counts: Set<Int> = [1, 2, 3, 4, count - 2, count - 1]
        if let gop { for k in stride(from: gop, to: count, by: gop) { counts.formUnion([k - 1, k, k + 1]) } }
        counts.formUnion(stride(from: 7, to: count, by: 23))
        return counts.filter { $0 > 0 && $0 < count }
    }

    /// Copies the (damaged) set at `output` to `directory/name` with every file it has.
    private func copySet(_ output: String, into directory: String, name: String) throws -> String {
        let target = directory + "/" + name
        let paths = StagingPaths(output: output)
        for file in [paths.info, paths.mdat] + paths.existingTrackIDs().map(paths.track) where FileSystem.exists(file) {
            try FileManager.default.copyItem(atPath: file, toPath: target + file.dropFirst(output.count))
        }
        return target
    }
}
