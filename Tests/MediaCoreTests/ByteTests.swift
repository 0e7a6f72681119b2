import TestSupport
import XCTest
@testable import MediaCore

final class ByteTests: XCTestCase {
    // MARK: ByteReader

    func testReaderReadsBigEndianAndMoves() throws {
        var reader = ByteReader([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09])
        XCTAssertEqual(try reader.peekInteger(UInt16.self), 0x0102)
        XCTAssertEqual(reader.position, 0)
        XCTAssertEqual(try reader.readInteger(UInt16.self), 0x0102)
        XCTAssertEqual(try reader.readUInt(byteCount: 3), 0x03_0405)
        XCTAssertEqual(try reader.readInteger(Int8.self), 6)
        var sub = try reader.readSubReader(2)
        XCTAssertEqual(sub.remaining, 2)
        XCTAssertEqual(try sub.readInteger(UInt8.self), 7)
        XCTAssertThrowsError(try sub.readInteger(UInt16.self))  // the sub-reader stops at its end
        XCTAssertEqual(reader.readRemainingBytes(), [9])
        XCTAssertTrue(reader.isAtEnd)
    }

    func testReaderErrors() {
        var reader = ByteReader([0xAA, 0xBB, 0xCC])
        XCTAssertThrowsError(try reader.readInteger(UInt32.self)) { error in
            XCTAssertEqual(error as? ByteReaderError, .truncated(needed: 4, remaining: 3, at: 0))
        }
        XCTAssertEqual(reader.position, 0, "a failed read consumes nothing")
        XCTAssertThrowsError(try reader.readBytes(-1)) { error in
            XCTAssertEqual(error as? ByteReaderError, .invalidLength(-1, at: 0))
        }
        XCTAssertThrowsError(try reader.skip(4))
        XCTAssertThrowsError(try reader.readSubReader(4))
        XCTAssertThrowsError(try reader.readFourCC())
    }

    func testReaderFourCC() throws {
        var reader = ByteReader(Array("avcC".utf8))
        XCTAssertEqual(try reader.readFourCC(), "avcC")
    }

    // MARK: ByteWriter

    func testWriterWritesBigEndianAndBackpatches() {
        var writer = ByteWriter()
        writer.write(UInt32(0))
        writer.write(UInt16(0xABCD))
        writer.writeUInt(0x01_0203, byteCount: 3)
        writer.write(FourCC("hvcC"))
        writer.write(bytes: [0xEE])
        writer.writeZeros(2)
        writer.set(UInt32(writer.count), at: 0)
        XCTAssertEqual(writer.bytes, [0, 0, 0, 16, 0xAB, 0xCD, 1, 2, 3] + Array("hvcC".utf8) + [0xEE, 0, 0])
        var reader = ByteReader(writer.bytes)
        XCTAssertEqual(try reader.readInteger(UInt32.self), 16)
    }

    // MARK: BitReader and Exp-Golomb (ISO/IEC 14496-10 9.1)

    func testBitReaderFixedWidths() throws {
        var reader = BitReader([0b1010_1100, 0xFF, 0x00, 0x80])
        XCTAssertEqual(try reader.readBit(), 1)
        XCTAssertEqual(try reader.readBits(3), 0b010)
        XCTAssertEqual(try reader.readBits(8), 0b1100_1111)
        XCTAssertEqual(try reader.readBits(0), 0)
        try reader.skipBits(4)
        XCTAssertEqual(try reader.readBits(8), 0)
        XCTAssertTrue(try reader.readFlag())
        XCTAssertEqual(reader.bitsRemaining, 7)
        XCTAssertThrowsError(try reader.readBits(8))
        XCTAssertThrowsError(try reader.skipBits(-1))
        var wide = BitReader([0xDE, 0xAD, 0xBE, 0xEF, 0x01])
        XCTAssertEqual(try wide.readBits(32), 0xDEAD_BEEF)
    }

    func testExpGolombTable() throws {
        // Table 9-2: bit strings and codeNum.
        let table: [(String, UInt32)] = [("1", 0), ("010", 1), ("011", 2), ("00100", 3), ("00101", 4), ("00110", 5),
                                         ("00111", 6), ("0001000", 7), ("0001111", 14), ("000010000", 15)]
        for (bits, value) in table {
            var reader = BitReader(pack(bits))
            XCTAssertEqual(try reader.readUE(), value, bits)
            XCTAssertEqual(reader.bitPosition, bits.count)
        }
        // Table 9-3: codeNum k to se(v).
        let signed: [(UInt32, Int32)] = [(0, 0), (1, 1), (2, -1), (3, 2), (4, -2), (5, 3), (6, -3)]
        for (codeNum, value) in signed {
            var w = BitWriter()
            w.writeUE(UInt64(codeNum))
            var reader = BitReader(w.bytes)
            XCTAssertEqual(try reader.readSE(), value)
        }
    }

    func testExpGolombExtremesAndRoundTrip() throws {
        // 31 leading zeros carry the largest ue(v): 2^32 - 2.
        var w = BitWriter()
        w.writeUE(UInt64(UInt32.max - 1))
        var reader = BitReader(w.bytes)
        XCTAssertEqual(try reader.readUE(), UInt32.max - 1)
        // 32 leading zeros cannot be a header field.
        var tooLong = BitReader([0, 0, 0, 0, 0x80])
        XCTAssertThrowsError(try tooLong.readUE()) { error in
            guard case .invalidLength = error as? ByteReaderError else { return XCTFail("\(error)") }
        }
        var truncated = BitReader([0b0000_0001])  // seven zeros, then no room for the suffix
        XCTAssertThrowsError(try truncated.readUE())
        var values = BitWriter()
        let unsigned: [UInt32] = [0, 1, 2, 254, 255, 256, 65_535, 1 << 20, 123_456_789]
        let signed: [Int32] = [0, 1, -1, 127, -128, 32_767, -32_768, Int32.max, Int32.min + 1]
        for value in unsigned { values.writeUE(UInt64(value)) }
        for value in signed { values.writeSE(value) }
        var all = BitReader(values.bytes)
        for value in unsigned { XCTAssertEqual(try all.readUE(), value) }
        for value in signed { XCTAssertEqual(try all.readSE(), value) }
    }

    private func pack(_ bits: String) -> [UInt8] {
        var w = BitWriter()
        for character in bits { w.writeBit(character == "1") }
        return w.bytes
    }

    // MARK: CRC-32C

    func testCRC32CKnownVector() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8]()), 0)
        // RFC 3720 B.4: 32 bytes of zeros.
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
    }

    func testCRC32CContinuesAcrossChunks() {
        var rng = SeededGenerator(seed: 3)
        let data = (0..<1000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let whole = CRC32C.checksum(data)
        for split in [0, 1, 7, 8, 9, 500, 999, 1000] {
            let first = CRC32C.checksum(data[..<split])
            XCTAssertEqual(CRC32C.checksum(data[split...], continuing: first), whole, "split at \(split)")
        }
    }

    /// The bulk check finds the first damaged unit wherever it sits among the four checked
    /// together and in the tail after them, for the staging records' 40/36 shape and a shape
    /// whose covered bytes end on a whole 8-byte word.
    func testCRC32CIntactUnitsStopsAtTheFirstDamagedUnit() {
        var rng = SeededGenerator(seed: 5)
        for (stride, covered) in [(40, 36), (24, 16)] {
            let count = 11
            var units = [UInt8]()
            for _ in 0..<count {
                var unit = (0..<covered).map { _ in UInt8.random(in: 0...255, using: &rng) }
                let crc = CRC32C.checksum(unit)
                unit += [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
                unit += [UInt8](repeating: 0xAB, count: stride - covered - 4)
                units += unit
            }
            let hardware = units.withUnsafeBytes { CRC32C.intactUnits($0, stride: stride, covered: covered) }
            guard hardware != 0 else {
                XCTAssertEqual(hardware, 0, "without the crc32 instruction nothing is vouched for")
                continue
            }
            XCTAssertEqual(hardware, count, "every unit intact")
            for damaged in 0..<count {
                for byte in [0, covered - 1, covered] {  // first checked byte, last, the stored checksum
                    var copy = units
                    copy[damaged * stride + byte] ^= 0x01
                    let found = copy.withUnsafeBytes { CRC32C.intactUnits($0, stride: stride, covered: covered) }
                    XCTAssertEqual(found, damaged, "stride \(stride), unit \(damaged), byte \(byte)")
                }
                // Bytes after the checksum are not the unit's record: they do not count.
                if stride > covered + 4 {
                    var copy = units
                    copy[damaged * stride + covered + 4] ^= 0x01
                    XCTAssertEqual(copy.withUnsafeBytes { CRC32C.intactUnits($0, stride: stride, covered: covered) }, count)
                }
            }
        }
    }

    /// The CPU's instruction checksums long buffers in three lanes joined by a table shift
    /// (lanes of 8 KiB and 256 bytes): every size around the lane boundaries, at odd starts,
    /// gives the table code's answer.
    func testCRC32CHardwareLanesMatchTheTableCode() {
        var rng = SeededGenerator(seed: 5)
        let data = (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        for size in [0, 1, 8, 255, 767, 768, 769, 775, 1_536, 24_575, 24_576, 24_577, 24_583, 25_344, 40_000, 69_997] {
            for start in 0..<3 {
                let bytes = data[start..<(start + size)]
                let software = bytes.withUnsafeBytes { CRC32C.softwareChecksum($0, continuing: 0x1234_5678) }
                XCTAssertEqual(CRC32C.checksum(bytes, continuing: 0x1234_5678), software, "\(size) bytes from \(start)")
            }
        }
    }
}
