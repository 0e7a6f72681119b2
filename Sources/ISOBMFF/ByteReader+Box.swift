import MediaCore

/// Reads of box bodies: the same bounds-checked `ByteReader`, with short reads reported as
/// `MP4ParseError.truncatedBody` naming the box.
extension ByteReader {
    mutating func read<T: FixedWidthInteger>(_: T.Type = T.self, in box: FourCC) throws(MP4ParseError) -> T {
        do throws(ByteReaderError) { return try readInteger() } catch { throw MP4ParseError(error, in: box) }
    }

    mutating func readBytes(_ count: Int, in box: FourCC) throws(MP4ParseError) -> [UInt8] {
        do throws(ByteReaderError) { return try readBytes(count) } catch { throw MP4ParseError(error, in: box) }
    }

    mutating func readFourCC(in box: FourCC) throws(MP4ParseError) -> FourCC {
        FourCC(rawValue: try read(UInt32.self, in: box))
    }

    mutating func skip(_ count: Int, in box: FourCC) throws(MP4ParseError) {
        do throws(ByteReaderError) { try skip(count) } catch { throw MP4ParseError(error, in: box) }
    }

    mutating func readSubReader(_ count: Int, in box: FourCC) throws(MP4ParseError) -> ByteReader {
        do throws(ByteReaderError) { return try readSubReader(count) } catch { throw MP4ParseError(error, in: box) }
    }

    /// version(8) and flags(24) of a FullBox (ISO/IEC 14496-12 4.2).
    mutating func readVersionAndFlags(in box: FourCC) throws(MP4ParseError) -> (version: UInt8, flags: UInt32) {
        let word = try read(UInt32.self, in: box)
        return (UInt8(word >> 24), word & 0xFF_FFFF)
    }

    /// Reads a FullBox version and flags and checks the version is one this box knows.
    mutating func readVersion(in box: FourCC, supported: ClosedRange<UInt8>) throws(MP4ParseError) -> (version: UInt8, flags: UInt32) {
        let at = Int64(position)
        let header = try readVersionAndFlags(in: box)
        guard supported.contains(header.version) else { throw .unsupportedVersion(box, version: header.version, at: at) }
        return header
    }

    /// Reads a 32-bit entry count and checks that `entrySize`-byte entries fit in the rest of
    /// the body before anyone allocates for them.
    mutating func readEntryCount(entrySize: Int, in box: FourCC) throws(MP4ParseError) -> Int {
        let at = Int64(position)
        let count = try read(UInt32.self, in: box)
        guard UInt64(count) * UInt64(entrySize) <= UInt64(remaining) else {
            throw .countExceedsBody(box, count: UInt64(count), entrySize: entrySize, remaining: remaining, at: at)
        }
        return Int(count)
    }

    /// A time or duration that is 64 bits in version 1 of a box and 32 bits in version 0.
    mutating func readTime(version: UInt8, in box: FourCC) throws(MP4ParseError) -> UInt64 {
        version == 1 ? try read(UInt64.self, in: box) : UInt64(try read(UInt32.self, in: box))
    }

    /// The boxes that fill the rest of the reader (children of a sample entry or `dref`).
    mutating func readRawBoxes(in parent: FourCC) throws(MP4ParseError) -> [RawBox] {
        var boxes: [RawBox] = []
        while !isAtEnd {
            boxes.append(try RawBox(parsing: &self, parent: parent))
        }
        return boxes
    }
}

extension ByteWriter {
    /// The counterpart of `ByteReader.readTime(version:in:)`.
    mutating func writeTime(_ value: UInt64, version: UInt8) {
        if version == 1 {
            write(value)
        } else {
            precondition(value <= UInt64(UInt32.max), "a version 0 time field holds 32 bits, got \(value)")
            write(UInt32(value))
        }
    }
}
