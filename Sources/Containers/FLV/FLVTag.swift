import MediaCore

/// One FLV tag (Adobe FLV spec v10.1, E.4.1): an 11-byte header and a body. In a file each
/// tag is followed by PreviousTagSize (11 + body size); RTMP carries the body alone, with the
/// type and timestamp in its message header.
///
/// ```
/// 00 Filter(1) TagType(5) | DataSize(24) | Timestamp(24) | TimestampExtended(8) | StreamID(24)=0 | body
/// ```
public struct FLVTag: Sendable, Equatable {
    /// TagType: what the body holds.
    public enum Kind: UInt8, Sendable, Equatable, CustomStringConvertible {
        case audio = 8
        case video = 9
        case scriptData = 18

        public var description: String {
            switch self {
            case .audio: return "audio"
            case .video: return "video"
            case .scriptData: return "script data"
            }
        }
    }

    public static let headerSize = 11
    /// PreviousTagSize after every tag (and PreviousTagSize0 after the file header).
    public static let previousTagSizeSize = 4
    /// DataSize is a 24-bit field: no tag body is larger (16 MiB - 1).
    public static let maxBodySize = (1 << 24) - 1

    public var kind: Kind
    /// Decoding time in milliseconds: Timestamp is the low 24 bits, TimestampExtended the high 8.
    public var timestamp: UInt32
    /// Always 0 in files (E.4.1).
    public var streamID: UInt32 = 0
    public var body: [UInt8]

    /// The fields of a tag header, parsed from its 11 bytes.
    public struct Header: Sendable, Equatable {
        /// TagType with the Filter bit (0x20, encrypted content) and reserved bits removed.
        public var type: UInt8
        public var isFiltered: Bool
        public var dataSize: Int
        public var timestamp: UInt32
        public var streamID: UInt32

        /// `bytes` holds at least `FLVTag.headerSize` bytes.
        public init(parsing bytes: [UInt8]) {
            precondition(bytes.count >= FLVTag.headerSize, "an FLV tag header is 11 bytes")
            type = bytes[0] & 0x1F
            isFiltered = bytes[0] & 0x20 != 0
            dataSize = Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
            timestamp = UInt32(bytes[7]) << 24 | UInt32(bytes[4]) << 16 | UInt32(bytes[5]) << 8 | UInt32(bytes[6])
            streamID = UInt32(bytes[8]) << 16 | UInt32(bytes[9]) << 8 | UInt32(bytes[10])
        }
    }

    /// Size of the tag in a file: header and body (the value of the PreviousTagSize after it).
    public var size: Int { Self.headerSize + body.count }

    /// Writes the tag and the PreviousTagSize that follows it in a file.
    public func write(to writer: inout ByteWriter) throws(FLVError) {
        try Self.writeHeader(kind: kind, bodySize: body.count, timestamp: timestamp, streamID: streamID, to: &writer)
        writer.write(bytes: body)
        writer.write(UInt32(size))
    }

    /// The 11-byte header of a tag whose body is `bodySize` bytes (written apart from it).
    public static func writeHeader(kind: Kind, bodySize: Int, timestamp: UInt32, streamID: UInt32 = 0,
                                   to writer: inout ByteWriter) throws(FLVError) {
        guard bodySize <= maxBodySize else {
            throw .limitExceeded(field: "FLV tag DataSize", value: bodySize, limit: maxBodySize)
        }
        writer.write(kind.rawValue)
        writer.writeUInt(UInt64(bodySize), byteCount: 3)
        writer.writeUInt(UInt64(timestamp & 0xFF_FFFF), byteCount: 3)
        writer.write(UInt8(truncatingIfNeeded: timestamp >> 24))
        writer.writeUInt(UInt64(streamID & 0xFF_FFFF), byteCount: 3)
    }
}
