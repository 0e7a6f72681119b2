import XCTest
import MediaCore
import StagingWriter
import SyntheticMedia
import TestSupport

/// Damage a crash or power cut can leave, and that validation must detect precisely.
final class StagingDamageTests: XCTestCase {
    private func makeSet(samples: Int = 100) throws -> String {
        let output = TestPaths.temporaryDirectory("damage") + "/rec.mp4"
        let writer = try StagingWriter(output: output)
        try writer.addTrack(SyntheticSource.trackDescription)
        let source = SyntheticSource(sampleCount: samples)
        for i in 0..<samples { try writer.append(source.frame(i)) }
        try writer.close()
        return output
    }

    func testTornRecordAtTheEndIsDetected() throws {
        let output = try makeSet()
        let track = output + ".track1"
        let size = FileSystem.fileSize(track)!
        XCTAssertEqual(truncate(track, off_t(size - 7)), 0)
        let v = try StagingSet(output: output).validate(verifyPayloads: false)
        XCTAssertEqual(v.tracks[0].keptSamples, 99)
        XCTAssertEqual(v.tracks[0].tornTailBytes, 33)
        XCTAssertFalse(v.isClean)
    }

    func testZeroedPayloadTailDropsExactlyTheDamagedSamples() throws {
        let output = try makeSet()
        let source = SyntheticSource(sampleCount: 100)
        let tailStart = (0..<95).reduce(0) { $0 + source.size(of: $1) }
        let mdat = try FileDescriptor.open(output + ".mdat", .readWrite)
        let size = try mdat.size()
        try mdat.writeAll([UInt8](repeating: 0, count: Int(size) - tailStart + 0), toAbsoluteOffset: Int64(tailStart))
        try mdat.close()
        let v = try StagingSet(output: output).validate(verifyPayloads: true)
        XCTAssertEqual(v.tracks[0].keptSamples, 95)
        XCTAssertEqual(v.tracks[0].droppedSamples["payload checksum mismatch"], 5)
    }

    func testTruncatedMdatDropsSamplesPastItsEnd() throws {
        let output = try makeSet()
        let size = FileSystem.fileSize(output + ".mdat")!
        XCTAssertEqual(truncate(output + ".mdat", off_t(size - 1)), 0)
        let v = try StagingSet(output: output).validate(verifyPayloads: false)
        XCTAssertEqual(v.tracks[0].keptSamples, 99)
        XCTAssertEqual(v.tracks[0].droppedSamples["points past the end of .mdat"], 1)
        XCTAssertFalse(v.isClean)
    }

    func testGarbageInTheMiddleOfATrackFileDropsOnlyThoseRecords() throws {
        let output = try makeSet()
        let track = try FileDescriptor.open(output + ".track1", .readWrite)
        // Units start after the header and the description (1 head + 1 body unit).
        let offset = Int64(StagingFormat.trackHeaderSize + StagingFormat.unitSize * (2 + 10) + 5)
        try track.writeAll([0xDE, 0xAD, 0xBE, 0xEF], toAbsoluteOffset: offset)
        try track.close()
        let v = try StagingSet(output: output).validate(verifyPayloads: true)
        XCTAssertEqual(v.tracks[0].keptSamples, 99)
        XCTAssertEqual(v.tracks[0].damagedCount, 1)
    }

    func testLostInfoStillReadsTracksFromTheirOwnFiles() throws {
        let output = try makeSet()
        try FileSystem.remove(output + ".info")
        let set = try StagingSet(output: output)
        XCTAssertNil(set.info)
        let v = try set.validate(verifyPayloads: true)
        XCTAssertEqual(v.tracks[0].keptSamples, 100)
        XCTAssertEqual(v.tracks[0].descriptions, SyntheticSource.trackDescription.sampleDescriptions)
        XCTAssertFalse(v.isClean, "a lost .info is damage to report")
    }

    func testCorruptInfoIsReportedNotTrusted() throws {
        let output = try makeSet()
        let info = try FileDescriptor.open(output + ".info", .readWrite)
        try info.writeAll([0xFF], toAbsoluteOffset: 20)
        try info.close()
        let set = try StagingSet(output: output)
        XCTAssertNil(set.info)
        XCTAssertTrue(set.infoProblem?.contains("checksum") ?? false, set.infoProblem ?? "")
    }

    /// Every truncation of a track file gives a clean prefix, never a crash.
    func testTruncatingTheTrackFileAtEveryOffsetKeepsAPrefix() throws {
        let output = try makeSet(samples: 12)
        let track = output + ".track1"
        let original = try FileSystem.readFile(track)
        for length in stride(from: original.count, through: 0, by: -1) {
            let fd = try FileDescriptor.open(track, [.writeOnly, .truncate])
            try fd.writeAll(Array(original[0..<length]))
            try fd.close()
            do {
                let v = try StagingSet(output: output).validate(verifyPayloads: true)
                let unitsAfterDescription = (length - StagingFormat.trackHeaderSize) / StagingFormat.unitSize - 2
                XCTAssertEqual(v.tracks.first?.keptSamples ?? 0, max(0, min(12, unitsAfterDescription)), "length \(length)")
            } catch {
                // Only a file too short for its header may be refused outright.
                XCTAssertLessThan(length, StagingFormat.trackHeaderSize, "length \(length): \(error)")
            }
        }
    }
}
