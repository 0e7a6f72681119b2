import MediaCore

/// The protocol control messages (RTMP 1.0, 5.4): message stream 0, chunk stream 2.
public enum ProtocolControlMessage: Sendable, Equatable {
    /// 5.4.1: the sender's chunks from now on carry up to this many payload bytes.
    case setChunkSize(UInt32)
    /// 5.4.2: drop the partial message of this chunk stream.
    case abort(chunkStreamID: UInt32)
    /// 5.4.3: bytes received so far (mod 2^32).
    case acknowledgement(sequenceNumber: UInt32)
    /// 5.4.4: acknowledge after receiving this many bytes.
    case windowAcknowledgementSize(UInt32)
    /// 5.4.5: limit the peer's output bandwidth; type 0 hard, 1 soft, 2 dynamic.
    case setPeerBandwidth(UInt32, limitType: UInt8)

    /// The chunk size field's reserved top bit must be 0 (5.4.1).
    public static let maxChunkSize: UInt32 = 0x7FFF_FFFF

    /// The message's control content; nil for a message of another type. `offset` locates
    /// errors.
    public init?(_ message: RTMPMessage, at offset: Int64 = 0) throws(RTMPError) {
        var reader = ByteReader(message.payload)
        func read<T: FixedWidthInteger>(_: T.Type) throws(RTMPError) -> T {
            do { return try reader.readInteger(T.self) } catch {
                throw .malformedMessage(type: message.typeID, reason: "body of \(message.payload.count) bytes is too short", at: offset)
            }
        }
        switch message.type {
        case .setChunkSize:
            let size = try read(UInt32.self)
            guard size >= 1, size <= Self.maxChunkSize else { throw .invalidChunkSize(size, at: offset) }
            self = .setChunkSize(size)
        case .abort: self = .abort(chunkStreamID: try read(UInt32.self))
        case .acknowledgement: self = .acknowledgement(sequenceNumber: try read(UInt32.self))
        case .windowAcknowledgementSize: self = .windowAcknowledgementSize(try read(UInt32.self))
        case .setPeerBandwidth:
            let size = try read(UInt32.self)
            self = .setPeerBandwidth(size, limitType: try read(UInt8.self))
        default: return nil
        }
    }

    /// The message that carries this (timestamp 0, message stream 0).
    public var message: RTMPMessage {
        var writer = ByteWriter(capacity: 5)
        let type: MessageType
        switch self {
        case let .setChunkSize(size):
            type = .setChunkSize
            writer.write(size & Self.maxChunkSize)
        case let .abort(id):
            type = .abort
            writer.write(id)
        case let .acknowledgement(sequence):
            type = .acknowledgement
            writer.write(sequence)
        case let .windowAcknowledgementSize(size):
            type = .windowAcknowledgementSize
            writer.write(size)
        case let .setPeerBandwidth(size, limitType):
            type = .setPeerBandwidth
            writer.write(size)
            writer.write(limitType)
        }
        return RTMPMessage(type: type, payload: writer.bytes)
    }
}
