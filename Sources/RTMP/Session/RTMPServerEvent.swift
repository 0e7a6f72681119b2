import Containers

/// What a publishing client did, as `RTMPServerSession.nextEvent()` reports it.
public enum RTMPServerEvent: Sendable, Equatable {
    /// `connect` was answered. The application name is informational: streams are named by
    /// `publish` alone.
    case connected(app: String, tcUrl: String?)
    /// `publish` asks to publish `name` (the name as sent, query string removed: `cam1?key=x`
    /// is `cam1`). The session waits for `acceptPublish()` or `rejectPublish(description:)`
    /// and reports nothing further until one of them is called.
    case publishRequested(name: String, rawName: String, streamID: UInt32)
    /// An audio, video or data message of the published stream: an FLV tag body of `kind`, at
    /// the message's 32-bit millisecond timestamp (wrapping; the receiver unwraps).
    case media(kind: FLVTag.Kind, timestamp: UInt32, body: [UInt8])
    /// The published stream ended: FCUnpublish, closeStream or deleteStream.
    case unpublished(name: String)
}
