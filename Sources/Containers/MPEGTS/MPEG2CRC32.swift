/// CRC_32 of MPEG-2 sections (ISO/IEC 13818-1 Annex A): polynomial 0x04C11DB7, initial
/// value 0xFFFFFFFF, MSB first, no final XOR. A section followed by its CRC checks to 0.
enum MPEG2CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index) << 24
        for _ in 0..<8 { crc = crc & 0x8000_0000 != 0 ? (crc << 1) ^ 0x04C1_1DB7 : crc << 1 }
        return crc
    }

    static func checksum<C: Collection<UInt8>>(_ bytes: C) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = (crc << 8) ^ table[Int((crc >> 24) ^ UInt32(byte))] }
        return crc
    }
}
