import Containers
import MediaCore

/// One chunk's header (RTMP 1.0, 5.3.1): a basic header naming the format and the chunk
/// stream, a message header of 11, 7, 3 or 0 bytes, and an extended timestamp when the 24-bit
/// field is too small.
///
/// ```
/// basic:   fmt(2) csid(6)                       csid 2...63
///          fmt(2) 0(6)   | csid-64 (8)          csid 64...319
///          fmt(2) 1(6)   | csid-64 (16, LE)     csid 64...65599
/// type 0:  timestamp(24) | length(24) | type id(8) | stream id(32, little-endian)
/// type 1:  delta(24)     | length(24) | type id(8)
/// type 2:  delta(24)
/// type 3:  (nothing)
/// [extended timestamp (32)]  when the 24-bit field is 0xFFFFFF; in type 3 chunks when the
///                            chunk stream's last type 0, 1 or 2 header had one (5.3.1.3)
/// ```
public struct ChunkHeader: Sendable, Equatable {
    /// The `fmt` field: how much of the message header this chunk repeats (5.3.1.2).
    public enum Format: UInt8, Sendable, Equatable, CaseIterable {
        /// Type 0: absolute timestamp, length, type and stream: starts a chunk stream, and any
        /// message whose timestamp goes backwards.
        case full = 0
        /// Type 1: timestamp delta, length and type; same message stream.
        case sameStream = 1
        /// Type 2: timestamp delta only; same stream, length and type.
        case timestampDelta = 2
        /// Type 3: nothing; a continuation chunk, or a message like the last with the same delta.
        case continuation = 3
    }

    /// Chunk stream IDs 0 and 1 are the markers of the 2- and 3-byte basic headers; 2 is the
    /// protocol control stream. The 3-byte form reaches 65599.
    public static let chunkStreamIDs: ClosedRange<UInt32> = 2...65_599
    /// The 24-bit field's value meaning "the extended timestamp follows".
    public static let extendedTimestampMarker: UInt32 = 0xFF_FFFF
    /// Message lengths are 24-bit fields.
    public static let maxMessageLength = 0xFF_FFFF

    public var format: Format
    public var chunkStreamID: UInt32
    /// The timestamp (type 0) or timestamp delta (types 1, 2), all 32 bits; for type 3, the
    /// extended timestamp when there is one, else 0.
    public var timestamp: UInt32
    /// Types 0 and 1.
    public var messageLength: Int
    /// Types 0 and 1.
    public var messageTypeID: UInt8
    /// Type 0.
    public var messageStreamID: UInt32
    /// Whether the 4-byte extended timestamp follows the message header. For types 0-2 this
    /// is `timestamp >= 0xFFFFFF`; for type 3 it repeats the chunk stream's last header's.
    public var hasExtendedTimestamp: Bool

    public init(format: Format, chunkStreamID: UInt32, timestamp: UInt32 = 0, messageLength: Int = 0,
                messageTypeID: UInt8 = 0, messageStreamID: UInt32 = 0, type3HasExtendedTimestamp: Bool = false) {
        precondition(Self.chunkStreamIDs.contains(chunkStreamID), "chunk stream IDs are 2...65599")
        precondition((0...Self.maxMessageLength).contains(messageLength), "message lengths are 24-bit")
        self.format = format
        self.chunkStreamID = chunkStreamID
        self.timestamp = timestamp
        self.messageLength = messageLength
        self.messageTypeID = messageTypeID
        self.messageStreamID = messageStreamID
        hasExtendedTimestamp = format == .continuation ? type3HasExtendedTimestamp : timestamp >= Self.extendedTimestampMarker
    }

    /// Bytes this header takes.
    public var size: Int {
        let basic = chunkStreamID < 64 ? 1 : chunkStreamID < 320 ? 2 : 3
        let message = [11, 7, 3, 0][Int(format.rawValue)]
        return basic + message + (hasExtendedTimestamp ? 4 : 0)
    }

    public func write(to writer: inout ByteWriter) {
        let fmt = format.rawValue << 6
        if chunkStreamID < 64 {
            writer.write(fmt | UInt8(chunkStreamID))
        } else if chunkStreamID < 320 {
            writer.write(fmt)
            writer.write(UInt8(chunkStreamID - 64))
        } else {
            writer.write(fmt | 1)
            let id = UInt16(chunkStreamID - 64)
            writer.write(UInt8(truncatingIfNeeded: id))
            writer.write(UInt8(id >> 8))
        }
        if format != .continuation {
            let field = hasExtendedTimestamp ? Self.extendedTimestampMarker : timestamp
            writer.writeUInt(UInt64(field), byteCount: 3)
        }
        if format == .full || format == .sameStream {
            writer.writeUInt(UInt64(messageLength), byteCount: 3)
            writer.write(messageTypeID)
        }
        if format == .full {
            // The one little-endian field of RTMP: ByteWriter is big-endian, so swap.
            writer.write(messageStreamID.byteSwapped)
        }
        if hasExtendedTimestamp {
            writer.write(timestamp)
        }
    }

    /// Parses the header at the start of `buffer`; nil when the buffer ends inside it.
    /// `type3HasExtendedTimestamp` answers, for a type 3 header, whether its chunk stream's
    /// last header had an extended timestamp.
    static func parse(_ buffer: InputBuffer,
                      type3HasExtendedTimestamp: (UInt32) -> Bool) -> ChunkHeader? {
        guard buffer.count >= 1 else { return nil }
        let first = buffer[0]
        guard let format = Format(rawValue: first >> 6) else { return nil }
        var offset = 1
        var chunkStreamID = UInt32(first & 0x3F)
        switch chunkStreamID {
        case 0:
            guard buffer.count >= 2 else { return nil }
            chunkStreamID = 64 + UInt32(buffer[1])
            offset = 2
        case 1:
            guard buffer.count >= 3 else { return nil }
            chunkStreamID = 64 + UInt32(buffer[1]) + UInt32(buffer[2]) << 8
            offset = 3
        default:
            break
        }
        var header = ChunkHeader(format: format, chunkStreamID: chunkStreamID)
        let messageHeaderSize = [11, 7, 3, 0][Int(format.rawValue)]
        guard buffer.count >= offset + messageHeaderSize else { return nil }
        if format != .continuation {
            header.timestamp = UInt32(buffer.integer(at: offset, width: 3))
            header.hasExtendedTimestamp = header.timestamp == Self.extendedTimestampMarker
        } else {
            header.hasExtendedTimestamp = type3HasExtendedTimestamp(chunkStreamID)
        }
        if format == .full || format == .sameStream {
            header.messageLength = Int(buffer.integer(at: offset + 3, width: 3))
            header.messageTypeID = buffer[offset + 6]
        }
        if format == .full {
            header.messageStreamID = buffer.littleEndian32(at: offset + 7)
        }
        offset += messageHeaderSize
        if header.hasExtendedTimestamp {
            guard buffer.count >= offset + 4 else { return nil }
            header.timestamp = UInt32(buffer.integer(at: offset, width: 4))
        }
        return header
    }
}
