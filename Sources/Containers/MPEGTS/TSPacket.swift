import MediaCore

/// One transport stream packet (ISO/IEC 13818-1 2.4.3.2): 188 bytes.
///
/// ```
/// sync_byte=0x47 | TEI(1) PUSI(1) priority(1) PID(13) | scrambling(2) adaptation_field_control(2) CC(4)
/// [adaptation_field] [payload]
/// ```
public struct TSPacket: Sendable, Equatable {
    public static let size = 188
    public static let syncByte: UInt8 = 0x47
    public static let headerSize = 4
    /// Payload room of a packet without an adaptation field.
    public static let maxPayloadSize = size - headerSize
    /// PID 0x1FFF: null packets, stuffing of constant-rate streams.
    public static let nullPID: UInt16 = 0x1FFF

    public var transportError: Bool
    public var payloadUnitStart: Bool
    public var pid: UInt16
    /// transport_scrambling_control != 0: the payload is encrypted.
    public var isScrambled: Bool
    public var continuityCounter: UInt8
    public var adaptationField: TSAdaptationField?
    /// Nil when adaptation_field_control says there is no payload (then the CC does not count).
    public var payload: ArraySlice<UInt8>?

    /// Parses one packet. `bytes` holds exactly `size` bytes starting with the sync byte.
    public init(parsing bytes: [UInt8]) throws(TSError) {
        try self.init(parsing: bytes[...])
    }

    /// Parses a packet held in a larger buffer (a reader's input), without copying it: the
    /// payload is a slice of that buffer, with its indices.
    public init(parsing bytes: ArraySlice<UInt8>) throws(TSError) {
        let at = bytes.startIndex
        guard bytes.count == Self.size, bytes[at] == Self.syncByte else {
            throw .unsupported("packet of \(bytes.count) bytes or without sync byte")
        }
        transportError = bytes[at + 1] & 0x80 != 0
        payloadUnitStart = bytes[at + 1] & 0x40 != 0
        pid = UInt16(bytes[at + 1] & 0x1F) << 8 | UInt16(bytes[at + 2])
        isScrambled = bytes[at + 3] & 0xC0 != 0
        continuityCounter = bytes[at + 3] & 0x0F
        let control = (bytes[at + 3] >> 4) & 0x03
        var payloadStart = Self.headerSize
        if control & 0x02 != 0 {
            let length = Int(bytes[at + 4])
            // An adaptation field longer than the packet is damage: treat it as filling it.
            let end = min(Self.size, 5 + length)
            adaptationField = TSAdaptationField(parsing: bytes[(at + 5)..<(at + end)])
            payloadStart = end
        } else {
            adaptationField = nil
        }
        payload = control & 0x01 != 0 ? bytes[(at + payloadStart)...] : nil
    }
}
