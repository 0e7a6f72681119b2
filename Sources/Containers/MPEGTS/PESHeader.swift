import MediaCore

/// The header of a PES packet (ISO/IEC 13818-1 2.4.3.6), the parts this module uses: the
/// stream id, the length, PTS and DTS.
///
/// ```
/// 000001 | stream_id(8) | PES_packet_length(16)
/// '10' scrambling(2) priority(1) alignment(1) copyright(1) original(1) | PTS_DTS_flags(2) ESCR(1) ES_rate(1) trick(1) copy(1) CRC(1) ext(1)
/// PES_header_data_length(8) | [PTS: '001x' 32..30 1 | 29..15 1 | 14..0 1] [DTS: '0001' ...] | other fields, stuffing
/// ```
public struct PESHeader: Sendable, Equatable {
    public static let videoStreamID: UInt8 = 0xE0
    public static let audioStreamID: UInt8 = 0xC0
    /// private_stream_1: AC-3, E-AC-3 and Opus, as ffmpeg and DVB carry them.
    public static let privateStream1ID: UInt8 = 0xBD
    /// Bytes before PES_packet_length starts counting.
    public static let prefixSize = 6
    /// A 33-bit timestamp's range.
    public static let timestampModulus: UInt64 = 1 << 33

    public var streamID: UInt8
    /// PES_packet_length: bytes after the field; 0 means unbounded (video only, 2.4.3.7).
    public var packetLength: Int
    /// 90 kHz, 33 bits.
    public var pts: UInt64?
    public var dts: UInt64?
    /// Bytes from the start code to the first payload byte.
    public var headerSize: Int

    /// Stream ids without the optional header (2.4.3.7): program stream map, padding,
    /// private stream 2, ECM, EMM, DSM-CC, H.222.1 type E, directory.
    static let idsWithoutOptionalHeader: Set<UInt8> = [0xBC, 0xBE, 0xBF, 0xF0, 0xF1, 0xF2, 0xF8, 0xFF]

    /// Parses the header at the start of a complete PES packet.
    public init(parsing bytes: [UInt8], pid: UInt16) throws(TSError) {
        guard bytes.count >= Self.prefixSize else { throw .invalidPES(pid: pid, reason: "\(bytes.count) bytes") }
        guard bytes[0] == 0, bytes[1] == 0, bytes[2] == 1 else { throw .invalidPES(pid: pid, reason: "no start code") }
        streamID = bytes[3]
        packetLength = Int(bytes[4]) << 8 | Int(bytes[5])
        guard !Self.idsWithoutOptionalHeader.contains(streamID) else {
            pts = nil
            dts = nil
            headerSize = Self.prefixSize
            return
        }
        guard bytes.count >= 9 else { throw .invalidPES(pid: pid, reason: "optional header cut short") }
        guard bytes[6] & 0xC0 == 0x80 else { throw .invalidPES(pid: pid, reason: "optional header without '10' marker") }
        let flags = bytes[7] >> 6
        headerSize = 9 + Int(bytes[8])
        guard headerSize <= bytes.count else { throw .invalidPES(pid: pid, reason: "PES_header_data_length \(bytes[8]) past the data") }
        let needed = flags == 3 ? 10 : flags == 2 ? 5 : 0
        guard needed <= Int(bytes[8]) else { throw .invalidPES(pid: pid, reason: "PTS/DTS past PES_header_data_length") }
        pts = flags & 0x02 != 0 ? Self.timestamp(bytes, at: 9) : nil
        dts = flags == 3 ? Self.timestamp(bytes, at: 14) : nil
    }

    /// A header for `payloadLength` bytes: PTS, and DTS when given and different. The length
    /// field is 0 (unbounded) when the packet is too long for it, which only video may be.
    public init(streamID: UInt8, pts: UInt64, dts: UInt64?, payloadLength: Int) {
        self.streamID = streamID
        let pts = pts % Self.timestampModulus
        let dts = dts.map { $0 % Self.timestampModulus }
        self.pts = pts
        self.dts = dts == pts ? nil : dts
        headerSize = 9 + (self.dts == nil ? 5 : 10)
        let length = headerSize - Self.prefixSize + payloadLength
        packetLength = length <= Int(UInt16.max) ? length : 0
    }

    public func serialized() -> [UInt8] {
        var writer = ByteWriter(capacity: headerSize)
        writer.write(bytes: [0, 0, 1, streamID])
        writer.write(UInt16(packetLength))
        writer.write(UInt8(0x80))  // '10', not scrambled, no priority/alignment/copyright flags
        writer.write(UInt8((pts != nil ? 0x80 : 0) | (dts != nil ? 0x40 : 0)))
        writer.write(UInt8(headerSize - 9))
        if let pts { Self.writeTimestamp(pts, prefix: dts != nil ? 0x3 : 0x2, to: &writer) }
        if let dts { Self.writeTimestamp(dts, prefix: 0x1, to: &writer) }
        return writer.bytes
    }

    static func timestamp(_ bytes: [UInt8], at i: Int) -> UInt64 {
        UInt64(bytes[i] >> 1 & 0x07) << 30 | UInt64(bytes[i + 1]) << 22 | UInt64(bytes[i + 2] >> 1) << 15
            | UInt64(bytes[i + 3]) << 7 | UInt64(bytes[i + 4] >> 1)
    }

    static func writeTimestamp(_ value: UInt64, prefix: UInt8, to writer: inout ByteWriter) {
        writer.write(UInt8(prefix << 4 | UInt8(value >> 29 & 0x0E) | 1))
        writer.write(UInt16(truncatingIfNeeded: value >> 14 & 0xFFFE | 1))
        writer.write(UInt16(truncatingIfNeeded: value << 1 & 0xFFFE | 1))
    }
}
