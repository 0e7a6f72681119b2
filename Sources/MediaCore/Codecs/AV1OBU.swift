/// One AV1 Open Bitstream Unit (AV1 spec 5.3): its type and payload, as found in the
/// low-overhead bitstream format (5.2) that MP4 samples, av1C configOBUs and Enhanced RTMP
/// coded frames all use.
///
/// ```
/// obu_forbidden_bit(1)=0 obu_type(4) obu_extension_flag(1) obu_has_size_field(1) reserved(1)
/// [temporal_id(3) spatial_id(2) reserved(3)]  [obu_size leb128]  payload
/// ```
public struct AV1OBU: Sendable, Equatable {
    /// obu_type (6.2.2); the values this project acts on.
    public enum Kind: UInt8, Sendable {
        case sequenceHeader = 1
        case temporalDelimiter = 2
        case frameHeader = 3
        case tileGroup = 4
        case metadata = 5
        case frame = 6
        case redundantFrameHeader = 7
        case tileList = 8
        case padding = 15
    }

    /// leb128 values fit 8 bytes (4.10.5); obu_size is further bounded by the data.
    static let maxLEB128Bytes = 8
    static let structure = "AV1 OBU"

    public var type: UInt8
    public var hasExtension: Bool
    /// The header (and extension) bytes as they were, without the size field.
    public var header: [UInt8]
    public var payload: [UInt8]

    public var kind: Kind? { Kind(rawValue: type) }

    /// The OBU in the form MP4 samples require: obu_has_size_field = 1 (AV1-ISOBMFF 2.4).
    public func serializedWithSize() -> [UInt8] {
        var bytes = header
        bytes[0] |= 0x02
        bytes += Self.leb128(UInt64(payload.count))
        return bytes + payload
    }

    /// Splits `data` into OBUs. An OBU without a size field runs to the end of the data (only
    /// the last may, 5.2).
    public static func split<C: Collection<UInt8>>(_ data: C) throws(CodecError) -> [AV1OBU] where C.Index == Int {
        var obus: [AV1OBU] = []
        var position = data.startIndex
        while position < data.endIndex {
            let first = data[position]
            guard first & 0x80 == 0 else {
                throw .invalidValue(structure: structure, field: "obu_forbidden_bit", value: 1)
            }
            let hasExtension = first & 0x04 != 0
            let hasSize = first & 0x02 != 0
            let headerLength = hasExtension ? 2 : 1
            guard data.endIndex - position >= headerLength else {
                throw .truncated(structure: structure, field: "obu_extension_header",
                                 .truncated(needed: headerLength, remaining: data.endIndex - position, at: position))
            }
            let header = Array(data[position..<(position + headerLength)])
            position += headerLength
            var size = data.endIndex - position
            if hasSize {
                let (value, length) = try readLEB128(data, at: position, field: "obu_size")
                position += length
                guard value <= UInt64(data.endIndex - position) else {
                    throw .limitExceeded(structure: structure, field: "obu_size", value: Int(clamping: value),
                                         limit: data.endIndex - position)
                }
                size = Int(value)
            }
            obus.append(AV1OBU(type: (first >> 3) & 0x0F, hasExtension: hasExtension, header: header,
                               payload: Array(data[position..<(position + size)])))
            position += size
        }
        return obus
    }

    /// leb128() (4.10.5): the value and the bytes it took.
    static func readLEB128<C: Collection<UInt8>>(_ data: C, at start: Int, field: String) throws(CodecError) -> (UInt64, Int) where C.Index == Int {
        var value: UInt64 = 0
        for i in 0..<maxLEB128Bytes {
            guard start + i < data.endIndex else {
                throw .truncated(structure: structure, field: field, .truncated(needed: i + 1, remaining: data.endIndex - start, at: start))
            }
            let byte = data[start + i]
            value |= UInt64(byte & 0x7F) << (7 * UInt64(i))
            if byte & 0x80 == 0 { return (value, i + 1) }
        }
        throw .invalidValue(structure: structure, field: field, value: Int64(maxLEB128Bytes + 1))
    }

    static func leb128(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        var v = value
        repeat {
            var byte = UInt8(v & 0x7F)
            v >>= 7
            if v != 0 { byte |= 0x80 }
            bytes.append(byte)
        } while v != 0
        return bytes
    }
}
