import MediaCore

/// Cuts messages into chunks (RTMP 1.0, 5.3), choosing for each message the smallest header
/// that the chunk stream's last header allows:
///
/// - type 0 for a chunk stream's first message, another message stream, or a timestamp that
///   goes backwards;
/// - type 1 when the length or type changed;
/// - type 3 when only the timestamp moved, by the same delta as last time, and the last header
///   was a type 1 or 2 (after a type 0, readers disagree about that delta; type 2 is safe);
/// - type 2 otherwise.
///
/// Continuation chunks are type 3 and repeat the extended timestamp when the message has one
/// (5.3.1.3).
public struct ChunkStreamEncoder: Sendable {
    /// Our chunk size until we set another.
    public private(set) var chunkSize = ChunkStreamDecoder.defaultChunkSize

    private struct Previous {
        var format: ChunkHeader.Format
        var timestamp: UInt32
        var timestampField: UInt32
        var hasExtendedTimestamp: Bool
        var length: Int
        var typeID: UInt8
        var streamID: UInt32
    }

    private var previous: [UInt32: Previous] = [:]

    public init() {}

    /// Sends Set Chunk Size (on chunk stream 2, cut at the old size) and uses `size` for
    /// every chunk after it.
    public mutating func setChunkSize(_ size: Int, to writer: inout ByteWriter) {
        let clamped = max(1, min(size, ChunkHeader.maxMessageLength))
        encode(ProtocolControlMessage.setChunkSize(UInt32(clamped)).message, chunkStreamID: 2, to: &writer)
        chunkSize = clamped
    }

    /// Appends `message` as chunks of `chunkStreamID` (2...65599). The payload must fit the
    /// 24-bit length field.
    public mutating func encode(_ message: RTMPMessage, chunkStreamID: UInt32, to writer: inout ByteWriter) {
        precondition(message.payload.count <= ChunkHeader.maxMessageLength, "a message is at most 16 MiB - 1")
        let length = message.payload.count
        var header: ChunkHeader
        if let last = previous[chunkStreamID], last.streamID == message.streamID,
           message.timestamp &- last.timestamp < 0x8000_0000 {
            let delta = message.timestamp &- last.timestamp
            if length != last.length || message.typeID != last.typeID {
                header = ChunkHeader(format: .sameStream, chunkStreamID: chunkStreamID, timestamp: delta,
                                     messageLength: length, messageTypeID: message.typeID)
            } else if delta == last.timestampField && last.format != .full {
                header = ChunkHeader(format: .continuation, chunkStreamID: chunkStreamID, timestamp: delta,
                                     type3HasExtendedTimestamp: last.hasExtendedTimestamp)
            } else {
                header = ChunkHeader(format: .timestampDelta, chunkStreamID: chunkStreamID, timestamp: delta)
            }
        } else {
            header = ChunkHeader(format: .full, chunkStreamID: chunkStreamID, timestamp: message.timestamp,
                                 messageLength: length, messageTypeID: message.typeID, messageStreamID: message.streamID)
        }
        let last = previous[chunkStreamID]
        previous[chunkStreamID] = Previous(
            format: header.format == .continuation ? (last?.format ?? .full) : header.format,
            timestamp: message.timestamp,
            timestampField: header.format == .continuation ? (last?.timestampField ?? 0) : header.timestamp,
            hasExtendedTimestamp: header.hasExtendedTimestamp, length: length, typeID: message.typeID,
            streamID: message.streamID)

        header.write(to: &writer)
        var sent = min(chunkSize, length)
        writer.write(bytes: message.payload[0..<sent])
        let continuation = ChunkHeader(format: .continuation, chunkStreamID: chunkStreamID, timestamp: header.timestamp,
                                       type3HasExtendedTimestamp: header.hasExtendedTimestamp)
        while sent < length {
            continuation.write(to: &writer)
            let next = min(sent + chunkSize, length)
            writer.write(bytes: message.payload[sent..<next])
            sent = next
        }
    }

    /// The chunks of `message`, alone.
    public mutating func encode(_ message: RTMPMessage, chunkStreamID: UInt32) -> [UInt8] {
        var writer = ByteWriter(capacity: message.payload.count + 16)
        encode(message, chunkStreamID: chunkStreamID, to: &writer)
        return writer.bytes
    }
}
