/// An MSB-first bit writer, the counterpart of `BitReader`, for the bit-packed structures this
/// layer serializes (AudioSpecificConfig, ADTS headers). Pads the last byte with zeros.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var bitCount = 0

    init() {}

    /// Appends the low `count` bits of `value` (count in 0...64).
    mutating func write(_ value: UInt64, bits count: Int) {
        for shift in stride(from: count - 1, through: 0, by: -1) {
            writeBit((value >> UInt64(shift)) & 1 == 1)
        }
    }

    mutating func writeBit(_ bit: Bool) {
        if bitCount % 8 == 0 { bytes.append(0) }
        if bit { bytes[bytes.count - 1] |= 0x80 >> UInt8(bitCount % 8) }
        bitCount += 1
    }

    /// ue(v) (9.1).
    mutating func writeUE(_ value: UInt64) {
        let codeNum = value + 1
        let length = 64 - codeNum.leadingZeroBitCount
        write(0, bits: length - 1)
        write(codeNum, bits: length)
    }

    /// se(v) (9.1.1).
    mutating func writeSE(_ value: Int32) {
        let v = Int64(value)
        writeUE(UInt64(v > 0 ? 2 * v - 1 : -2 * v))
    }

    /// rbsp_trailing_bits: a one bit, then zeros to the byte boundary.
    mutating func writeTrailingBits() {
        writeBit(true)
        while bitCount % 8 != 0 { writeBit(false) }
    }
}
