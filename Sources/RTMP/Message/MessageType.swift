/// Message type IDs (RTMP 1.0, 5.4 and 7.1).
public enum MessageType: UInt8, Sendable, Equatable, CaseIterable {
    // Protocol control (5.4), on chunk stream 2 and message stream 0.
    case setChunkSize = 1
    case abort = 2
    case acknowledgement = 3
    case userControl = 4
    case windowAcknowledgementSize = 5
    case setPeerBandwidth = 6
    // Media (7.1.5): bodies are FLV tag bodies.
    case audio = 8
    case video = 9
    // Data, shared objects and commands, in AMF3 (the body starts with a format byte) or AMF0.
    case dataAMF3 = 15
    case sharedObjectAMF3 = 16
    case commandAMF3 = 17
    case dataAMF0 = 18
    case sharedObjectAMF0 = 19
    case commandAMF0 = 20
    /// Several audio, video or data messages as FLV tags (7.1.6).
    case aggregate = 22

    /// Whether the chunk layer itself acts on the message (5.4.1, 5.4.2).
    var isChunkControl: Bool { self == .setChunkSize || self == .abort }
}
