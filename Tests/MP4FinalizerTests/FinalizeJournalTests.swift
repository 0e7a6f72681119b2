import XCTest
import MediaCore
@testable import MP4Finalizer
import TestSupport

/// The in-place finalize journal: [header][trailer]. Only a whole, checksummed trailer whose
/// header length matches the file counts; the header is checked by a streamed checksum.
final class FinalizeJournalTests: XCTestCase {
    private func writeJournal(header: [UInt8], payloadSize: Int64, at output: String) throws -> FinalizeJournal {
        let journal = FinalizeJournal(headerLength: Int64(header.count), payloadSize: payloadSize,
                                      headerCRC: CRC32C.checksum(header))
        let file = try FileDescriptor.open(FinalizeJournal.path(for: output), [.readWrite, .create, .truncate])
        try file.writeAll(header + journal.encodedTrailer())
        try file.close()
        return journal
    }

    func testTrailerRoundTripsAndStreamedChecksumMatches() throws {
        let dir = TestPaths.temporaryDirectory("journal")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let output = dir + "/rec.mp4"
        // Longer than the 1 MiB read buffer, so the checksum continues across reads.
        let header = (0..<(3 << 19) + 4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let written = try writeJournal(header: header, payloadSize: 123_456_789, at: output)
        XCTAssertEqual(FinalizeJournal.read(output: output), written)
        let file = try FileDescriptor.open(FinalizeJournal.path(for: output), .readOnly)
        defer { try? file.close() }
        XCTAssertEqual(try FinalizeJournal.checksum(of: file, length: Int64(header.count)), CRC32C.checksum(header))
    }

    func testTornOrDamagedTrailerIsNotAJournal() throws {
        let dir = TestPaths.temporaryDirectory("journal")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let output = dir + "/rec.mp4", path = FinalizeJournal.path(for: output)
        _ = try writeJournal(header: [UInt8](repeating: 7, count: 8192), payloadSize: 1000, at: output)
        let whole = try FileSystem.readFile(path)
        // Every cut short of the whole file (a crash before the fsync finished) reads as none.
        for cut in stride(from: 0, to: whole.count, by: 509) + [whole.count - 1] {
            try Data(whole[0..<cut]).write(to: URL(fileURLWithPath: path))
            XCTAssertNil(FinalizeJournal.read(output: output), "cut at \(cut)")
        }
        // A flipped bit in the trailer reads as none; one in the header leaves the trailer
        // readable but the header checksum wrong (the resume then undoes the insert).
        var flipped = whole
        flipped[whole.count - 20] ^= 0x01
        try Data(flipped).write(to: URL(fileURLWithPath: path))
        XCTAssertNil(FinalizeJournal.read(output: output))
        flipped = whole
        flipped[100] ^= 0x01
        try Data(flipped).write(to: URL(fileURLWithPath: path))
        let journal = try XCTUnwrap(FinalizeJournal.read(output: output))
        let file = try FileDescriptor.open(path, .readOnly)
        defer { try? file.close() }
        XCTAssertNotEqual(try FinalizeJournal.checksum(of: file, length: journal.headerLength), journal.headerCRC)
        XCTAssertNil(FinalizeJournal.read(output: dir + "/none.mp4"))
    }
}
