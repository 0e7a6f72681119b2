/// A bounds-checked MSB-first bit reader, with Exp-Golomb codes for H.264/H.265 headers
/// (ISO/IEC 14496-10 9.1). Feed it RBSP bytes: emulation prevention already removed
/// (see `NALUnit.rbsp(from:)`).
public struct BitReader: Sendable {
    private let bytes: [UInt8]
    public private(set) var bitPosition: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.bitPosition = 0
    }

    public var bitsRemaining: Int { bytes.count * 8 - bitPosition }

    public mutating func readBit() throws(ByteReaderError) -> UInt32 {
        guard bitsRemaining >= 1 else { throw .truncated(needed: 1, remaining: 0, at: bytes.count) }
        let byte = bytes[bitPosition >> 3]
        let bit = (byte >> (7 - UInt8(bitPosition & 7))) & 1
        bitPosition += 1
        return UInt32(bit)
    }

    public mutating func readFlag() throws(ByteReaderError) -> Bool {
        try readBit() == 1
    }

    /// Reads `count` bits (0...32) as an unsigned value.
    public mutating func readBits(_ count: Int) throws(ByteReaderError) -> UInt32 {
        precondition((0...32).contains(count), "readBits takes 0 to 32 bits")
        guard bitsRemaining >= count else {
            throw .truncated(needed: (count + 7) / 8, remaining: bitsRemaining / 8, at: bitPosition / 8)
        }
        var value: UInt64 = 0
        for _ in 0..<count { value = (value << 1) | UInt64(try readBit()) }
        return UInt32(truncatingIfNeeded: value)
    }

    public mutating func skipBits(_ count: Int) throws(ByteReaderError) {
        guard count >= 0, bitsRemaining >= count else {
            throw .truncated(needed: (count + 7) / 8, remaining: bitsRemaining / 8, at: bitPosition / 8)
        }
        bitPosition += count
    }

    /// ue(v): unsigned Exp-Golomb. More than 31 leading zeros cannot be a valid header field.
    public mutating func readUE() throws(ByteReaderError) -> UInt32 {
        var leadingZeros = 0
        while try readBit() == 0 {
            leadingZeros += 1
            guard leadingZeros <= 31 else { throw .invalidLength(leadingZeros, at: bitPosition / 8) }
        }
        if leadingZeros == 0 { return 0 }
        let suffix = UInt64(try readBits(leadingZeros))
        return UInt32(truncatingIfNeeded: (UInt64(1) << UInt64(leadingZeros)) - 1 + suffix)
    }

    /// se(v): signed Exp-Golomb.
    public mutating func readSE() throws(ByteReaderError) -> Int32 {
        let k = Int64(try readUE())
        return Int32(truncatingIfNeeded: (k & 1) == 1 ? (k + 1) / 2 : -(k / 2))
    }
}
