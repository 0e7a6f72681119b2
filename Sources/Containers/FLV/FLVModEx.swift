import MediaCore

/// ModEx packets (Enhanced RTMP v2): modifiers that come before the real packet type of an
/// audio or video message. The one defined, TimestampOffsetNano, adds nanoseconds (under a
/// millisecond) to the message timestamp; others are skipped by their size.
///
/// ```
/// { modExDataSize-1 (UI8; 0xFF: UI16 follows) | modExData | ModExType(4) PacketType(4) }...
/// ```
enum FLVModEx {
    /// ModExType TimestampOffsetNano: modExData starts with a UI24 of nanoseconds.
    static let timestampOffsetNano: UInt8 = 0

    /// Reads every ModEx before the real packet type while `packetType` is `modExCode`;
    /// returns the timestamp offset in nanoseconds (0 when none).
    static func read(_ r: inout ByteReader, packetType: inout UInt8, modExCode: UInt8) throws(ByteReaderError) -> UInt32 {
        var nanoseconds: UInt32 = 0
        while packetType == modExCode {
            var size = Int(try r.readInteger(UInt8.self)) + 1
            if size == 256 { size = Int(try r.readInteger(UInt16.self)) + 1 }
            let data = try r.readBytes(size)
            let next: UInt8 = try r.readInteger()
            packetType = next & 0x0F
            if next >> 4 == timestampOffsetNano && data.count >= 3 {
                nanoseconds = UInt32(data[0]) << 16 | UInt32(data[1]) << 8 | UInt32(data[2])
            }
        }
        return nanoseconds
    }
}
