import MediaCore

/// User control messages (RTMP 1.0, 6.2 and 7.1.7): an event type (16 bits) and its data.
public enum UserControlEvent: Sendable, Equatable {
    /// 0: the stream is ready; the server sends it before a stream's first answer.
    case streamBegin(streamID: UInt32)
    /// 1: playback of the stream ended.
    case streamEOF(streamID: UInt32)
    /// 2: no more data on the stream for now.
    case streamDry(streamID: UInt32)
    /// 3: the client's buffer length in milliseconds.
    case setBufferLength(streamID: UInt32, milliseconds: UInt32)
    /// 4: the stream is recorded.
    case streamIsRecorded(streamID: UInt32)
    /// 6: answer with a ping response carrying the same timestamp.
    case pingRequest(timestamp: UInt32)
    /// 7.
    case pingResponse(timestamp: UInt32)
    /// Any other event type, kept as it came.
    case other(eventType: UInt16, data: [UInt8])

    /// Parses a user control message's body. `offset` locates errors.
    public init(parsing payload: [UInt8], at offset: Int64 = 0) throws(RTMPError) {
        var reader = ByteReader(payload)
        func read<T: FixedWidthInteger>(_: T.Type) throws(RTMPError) -> T {
            do { return try reader.readInteger(T.self) } catch {
                throw .malformedMessage(type: MessageType.userControl.rawValue,
                                        reason: "user control body of \(payload.count) bytes is too short", at: offset)
            }
        }
        let eventType = try read(UInt16.self)
        switch eventType {
        case 0: self = .streamBegin(streamID: try read(UInt32.self))
        case 1: self = .streamEOF(streamID: try read(UInt32.self))
        case 2: self = .streamDry(streamID: try read(UInt32.self))
        case 3:
            let id = try read(UInt32.self)
            self = .setBufferLength(streamID: id, milliseconds: try read(UInt32.self))
        case 4: self = .streamIsRecorded(streamID: try read(UInt32.self))
        case 6: self = .pingRequest(timestamp: try read(UInt32.self))
        case 7: self = .pingResponse(timestamp: try read(UInt32.self))
        default: self = .other(eventType: eventType, data: reader.readRemainingBytes())
        }
    }

    /// The message that carries this event (message stream 0).
    public var message: RTMPMessage {
        var writer = ByteWriter(capacity: 10)
        switch self {
        case let .streamBegin(id): writer.write(UInt16(0)); writer.write(id)
        case let .streamEOF(id): writer.write(UInt16(1)); writer.write(id)
        case let .streamDry(id): writer.write(UInt16(2)); writer.write(id)
        case let .setBufferLength(id, ms): writer.write(UInt16(3)); writer.write(id); writer.write(ms)
        case let .streamIsRecorded(id): writer.write(UInt16(4)); writer.write(id)
        case let .pingRequest(t): writer.write(UInt16(6)); writer.write(t)
        case let .pingResponse(t): writer.write(UInt16(7)); writer.write(t)
        case let .other(type, data): writer.write(type); writer.write(bytes: data)
        }
        return RTMPMessage(type: .userControl, payload: writer.bytes)
    }
}
