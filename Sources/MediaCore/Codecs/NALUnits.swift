/// NAL unit framing shared by H.264 and H.265: Annex B byte streams (ISO/IEC 14496-10 Annex B,
/// ISO/IEC 23008-2 Annex B), MP4's length-prefixed form (ISO/IEC 14496-15 5.3.2) and the
/// emulation prevention that separates a NAL unit from its RBSP (14496-10 7.4.1).
public enum NALUnit {
    /// The start code Annex B writers put before each NAL unit (the 4-byte form, which is also
    /// what B.1.2 requires before parameter sets and the first unit of an access unit).
    public static let startCode: [UInt8] = [0, 0, 0, 1]

    /// Splits an Annex B byte stream at its start codes (0x000001, with or without a leading
    /// zero byte). Trailing zero bytes of a unit (trailing_zero_8bits, or the first byte of the
    /// next 4-byte start code) are dropped, and so are empty units. Zero bytes may precede the
    /// first start code (leading_zero_8bits); anything else there throws, as does data without
    /// any start code.
    ///
    /// The slices share the input's indices.
    public static func splitAnnexB(_ bytes: [UInt8]) throws(CodecError) -> [ArraySlice<UInt8>] {
        try splitAnnexB(bytes[...])
    }

    /// Splits a slice (a PES payload in its buffer); the units share its indices, and error
    /// offsets count from its start.
    public static func splitAnnexB(_ bytes: ArraySlice<UInt8>) throws(CodecError) -> [ArraySlice<UInt8>] {
        var units: [ArraySlice<UInt8>] = []
        guard !bytes.isEmpty else { return units }
        guard var unitStart = nextStartCode(in: bytes, from: bytes.startIndex).map({ $0 + 3 }) else {
            throw .invalidAnnexB(reason: "no start code", at: 0)
        }
        if let junk = bytes[..<(unitStart - 3)].firstIndex(where: { $0 != 0 }) {
            throw .invalidAnnexB(reason: "data before the first start code", at: junk - bytes.startIndex)
        }
        while true {
            let next = nextStartCode(in: bytes, from: unitStart)
            var end = next ?? bytes.endIndex
            while end > unitStart && bytes[end - 1] == 0 { end -= 1 }
            if end > unitStart { units.append(bytes[unitStart..<end]) }
            guard let next else { break }
            unitStart = next + 3
        }
        return units
    }

    /// Splits an MP4 sample into its NAL units (see `LengthPrefixedNALUnitIterator`).
    public static func splitLengthPrefixed(_ bytes: [UInt8], lengthSize: NALUnitLengthSize = .four) throws(CodecError) -> [ArraySlice<UInt8>] {
        try splitLengthPrefixed(bytes[...], lengthSize: lengthSize)
    }

    /// Splits a sample held as a slice; the units share its indices.
    public static func splitLengthPrefixed(_ bytes: ArraySlice<UInt8>, lengthSize: NALUnitLengthSize = .four) throws(CodecError) -> [ArraySlice<UInt8>] {
        var iterator = LengthPrefixedNALUnitIterator(bytes, lengthSize: lengthSize)
        var units: [ArraySlice<UInt8>] = []
        while let unit = try iterator.next() { units.append(unit) }
        return units
    }

    /// Writes `units`, each behind its length, as an MP4 sample stores them.
    public static func lengthPrefixed<Unit: Collection<UInt8>>(_ units: [Unit], lengthSize: NALUnitLengthSize = .four) throws(CodecError) -> [UInt8] {
        var writer = ByteWriter(capacity: units.reduce(0) { $0 + lengthSize.rawValue + $1.count })
        for unit in units {
            guard unit.count <= lengthSize.maxUnitLength else {
                throw .limitExceeded(structure: "length-prefixed NAL units", field: "NAL unit length",
                                     value: unit.count, limit: lengthSize.maxUnitLength)
            }
            writer.writeUInt(UInt64(unit.count), byteCount: lengthSize.rawValue)
            writer.write(bytes: unit)
        }
        return writer.bytes
    }

    /// Annex B (a TS or raw .h264 stream) to the length-prefixed form of MP4 samples.
    public static func annexBToLengthPrefixed(_ bytes: [UInt8], lengthSize: NALUnitLengthSize = .four) throws(CodecError) -> [UInt8] {
        try lengthPrefixed(try splitAnnexB(bytes), lengthSize: lengthSize)
    }

    /// The length-prefixed form of MP4 samples to Annex B, with 4-byte start codes.
    public static func lengthPrefixedToAnnexB(_ bytes: [UInt8], lengthSize: NALUnitLengthSize = .four) throws(CodecError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 16)
        var iterator = LengthPrefixedNALUnitIterator(bytes, lengthSize: lengthSize)
        while let unit = try iterator.next() {
            output.append(contentsOf: startCode)
            output.append(contentsOf: unit)
        }
        return output
    }

    /// The RBSP of a NAL unit (or of any part of one): every emulation_prevention_three_byte,
    /// the 0x03 of a 0x000003 sequence, removed (7.3.1, 7.4.1).
    public static func rbsp<C: Collection<UInt8>>(from bytes: C) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var zeros = 0
        for byte in bytes {
            if zeros >= 2 && byte == 3 {
                zeros = 0
                continue
            }
            zeros = byte == 0 ? zeros + 1 : 0
            output.append(byte)
        }
        return output
    }

    /// The inverse of `rbsp(from:)`: inserts 0x03 wherever two zero bytes are followed by a byte
    /// of 0x00...0x03, and after a final pair of zeros (7.4.1).
    public static func addingEmulationPrevention<C: Collection<UInt8>>(_ rbsp: C) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(rbsp.count + rbsp.count / 64)
        var zeros = 0
        for byte in rbsp {
            if zeros >= 2 && byte <= 3 {
                output.append(3)
                zeros = 0
            }
            zeros = byte == 0 ? zeros + 1 : 0
            output.append(byte)
        }
        if zeros >= 2 { output.append(3) }
        return output
    }

    /// Index of the first byte of the next 0x000001 at or after `start`.
    private static func nextStartCode(in bytes: ArraySlice<UInt8>, from start: Int) -> Int? {
        var i = start
        while i + 2 < bytes.endIndex {
            if bytes[i + 2] > 1 {
                i += 3
            } else if bytes[i + 2] == 1 && bytes[i + 1] == 0 && bytes[i] == 0 {
                return i
            } else {
                i += 1
            }
        }
        return nil
    }
}
