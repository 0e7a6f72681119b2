import MediaCore
import XCTest
@testable import ISOBMFF

final class BoxHeaderTests: XCTestCase {
    private func parse(_ bytes: [UInt8], available: Int64? = nil, parent: FourCC? = nil) throws(MP4ParseError) -> BoxHeader {
        var reader = ByteReader(bytes)
        return try BoxHeader.parse(&reader, at: 100, available: available ?? Int64(bytes.count), parent: parent)
    }

    func testCompactSize() throws {
        let header = try parse([0, 0, 0, 16] + FourCC("free").bytes + [UInt8](repeating: 0, count: 8))
        XCTAssertEqual(header.type, "free")
        XCTAssertEqual(header.offset, 100)
        XCTAssertEqual(header.size, 16)
        XCTAssertEqual(header.headerSize, 8)
        XCTAssertEqual(header.bodyOffset, 108)
        XCTAssertEqual(header.bodySize, 8)
        XCTAssertFalse(header.usesLargeSize)
    }

    func testLargeSize() throws {
        let header = try parse([0, 0, 0, 1] + FourCC("mdat").bytes + [0, 0, 0, 1, 0, 0, 0, 0x10],
                               available: 0x1_0000_0010)
        XCTAssertEqual(header.size, 0x1_0000_0010)
        XCTAssertEqual(header.headerSize, 16)
        XCTAssertTrue(header.usesLargeSize)
        XCTAssertEqual(header.bytes, [0, 0, 0, 1] + FourCC("mdat").bytes + [0, 0, 0, 1, 0, 0, 0, 0x10])
    }

    func testSizeZeroRunsToTheEndOfTheParent() throws {
        let header = try parse([0, 0, 0, 0] + FourCC("mdat").bytes, available: 5000)
        XCTAssertEqual(header.size, 5000)
        XCTAssertTrue(header.extendsToEnd)
        XCTAssertEqual(header.bytes, [0, 0, 0, 0] + FourCC("mdat").bytes)
    }

    func testUUIDExtendedType() throws {
        let userType = [UInt8](0..<16)
        let header = try parse([0, 0, 0, 28] + FourCC("uuid").bytes + userType + [1, 2, 3, 4])
        XCTAssertEqual(header.userType, userType)
        XCTAssertEqual(header.headerSize, 24)
        XCTAssertEqual(header.bodySize, 4)
        XCTAssertEqual(header.bytes, [0, 0, 0, 28] + FourCC("uuid").bytes + userType)
    }

    func testWriterChoosesTheSizeField() {
        XCTAssertEqual(BoxHeader(type: "mdat", bodySize: 100).headerSize, 8)
        XCTAssertEqual(BoxHeader(type: "mdat", bodySize: 100, forceLargeSize: true).size, 116)
        let big = BoxHeader(type: "mdat", bodySize: Int64(UInt32.max))
        XCTAssertTrue(big.usesLargeSize)
        XCTAssertEqual(big.size, Int64(UInt32.max) + 16)
        XCTAssertEqual(BoxHeader(type: "mdat", bodySize: Int64(UInt32.max) - 8).headerSize, 8)
    }

    func testSizeSmallerThanHeader() {
        XCTAssertThrowsMP4Error(.sizeSmallerThanHeader("free", size: 4, headerSize: 8, at: 100)) {
            try parse([0, 0, 0, 4] + FourCC("free").bytes)
        }
        XCTAssertThrowsMP4Error(.sizeSmallerThanHeader("mdat", size: 12, headerSize: 16, at: 100)) {
            try parse([0, 0, 0, 1] + FourCC("mdat").bytes + [0, 0, 0, 0, 0, 0, 0, 12])
        }
    }

    func testSizePastParent() {
        XCTAssertThrowsMP4Error(.extendsPastParent("free", size: 64, available: 12, parent: "moov", at: 100)) {
            try parse([0, 0, 0, 64] + FourCC("free").bytes + [0, 0, 0, 0], parent: "moov")
        }
        // A 64-bit size beyond what Int64 can hold is simply past the parent.
        XCTAssertThrowsMP4Error(.extendsPastParent("mdat", size: .max, available: 16, parent: nil, at: 100)) {
            try parse([0, 0, 0, 1] + FourCC("mdat").bytes + [UInt8](repeating: 0xFF, count: 8))
        }
    }

    func testTruncatedHeader() {
        XCTAssertThrowsMP4Error(.truncatedHeader(parent: "moov", remaining: 5, at: 100)) {
            try parse([0, 0, 0, 8, 0x66], parent: "moov")
        }
        XCTAssertThrowsMP4Error(.truncatedHeader(parent: nil, remaining: 12, at: 100)) {
            try parse([0, 0, 0, 1] + FourCC("mdat").bytes + [0, 0, 0, 0])
        }
        XCTAssertThrowsMP4Error(.truncatedHeader(parent: nil, remaining: 20, at: 100)) {
            try parse([0, 0, 0, 24] + FourCC("uuid").bytes + [UInt8](repeating: 0, count: 12))
        }
    }

    func testErrorsReadWell() {
        let error = MP4ParseError.extendsPastParent("stsz", size: 900, available: 40, parent: "stbl", at: 1234)
        XCTAssertEqual(error.description, "box 'stsz' at offset 1234 declares 900 bytes but only 40 remain in 'stbl'")
        XCTAssertEqual(MP4ParseError.missingBox("moov", parent: nil, at: 0).description, "the file at offset 0 has no 'moov' box")
    }
}
