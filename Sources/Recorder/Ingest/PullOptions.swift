/// The pullStream parameters beyond uri and localStreamName, as EMS names them. They matter
/// for RTSP; MPEG-TS listeners ignore them.
public struct PullOptions: Sendable, Equatable {
    /// Reconnect (every `RTSPPull.reconnectDelay`) while the stream is wanted; each
    /// reconnection starts a new chunk. EMS's default is 1.
    public var keepAlive = true
    /// RTP interleaved on the RTSP connection (EMS's default 1); 0 asks for UDP first and
    /// falls back to TCP when the camera refuses UDP or no packet arrives.
    public var forceTcp = true

    public init(keepAlive: Bool = true, forceTcp: Bool = true) {
        self.keepAlive = keepAlive
        self.forceTcp = forceTcp
    }
}
