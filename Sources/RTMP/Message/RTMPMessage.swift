/// One RTMP message (5.4 ff.): what chunks carry, reassembled. The timestamp is the 32-bit
/// millisecond clock of the chunk stream, wrapping after about 49.7 days; the receiver unwraps.
public struct RTMPMessage: Sendable, Equatable {
    public var typeID: UInt8
    public var timestamp: UInt32
    /// 0 for protocol control and NetConnection commands; the ID `createStream` gave for
    /// NetStream commands and media.
    public var streamID: UInt32
    public var payload: [UInt8]

    public init(typeID: UInt8, timestamp: UInt32 = 0, streamID: UInt32 = 0, payload: [UInt8]) {
        self.typeID = typeID
        self.timestamp = timestamp
        self.streamID = streamID
        self.payload = payload
    }

    public init(type: MessageType, timestamp: UInt32 = 0, streamID: UInt32 = 0, payload: [UInt8]) {
        self.init(typeID: type.rawValue, timestamp: timestamp, streamID: streamID, payload: payload)
    }

    /// The type, nil for an ID this module does not know.
    public var type: MessageType? { MessageType(rawValue: typeID) }
}
