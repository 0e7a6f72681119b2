/// How a live stream's media reaches the recorder, which decides what a full write queue does
/// to it (docs/recording.md, "When the disk falls behind"): a TCP sender is slowed by not
/// reading its socket, so its reader waits for room (up to the writer's backpressure timeout);
/// UDP datagrams cannot be slowed, and a reader that waits only makes the kernel drop them
/// unseen, so frames are dropped at once, with the `framesDropped` event and counter.
public enum IngestTransport: String, Sendable {
    /// RTMP, RTSP interleaved in its TCP connection, MPEG-TS over TCP.
    case tcp
    /// MPEG-TS over UDP, RTSP with RTP over UDP (any track).
    case udp
}
