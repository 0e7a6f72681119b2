/// What arrives on an RTSP TCP connection: a message, or (RFC 2326 10.12) an interleaved
/// binary frame `$`, channel, 16-bit length, carrying RTP or RTCP.
public enum RTSPStreamItem: Sendable, Equatable {
    case message(RTSPMessage)
    case interleaved(channel: UInt8, payload: [UInt8])
}
