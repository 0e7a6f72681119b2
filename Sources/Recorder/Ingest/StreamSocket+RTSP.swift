import MediaCore
import RTSP

extension StreamSocket {
    /// How long an RTSP connection's read waits for bytes: briefly while the track's UDP
    /// sockets wait to be drained between reads, else long enough to stay cheap when idle.
    static func rtspReadWait(drainingUDP: Bool) -> Duration { drainingUDP ? .milliseconds(5) : .milliseconds(500) }

    /// One read of an RTSP connection (push server and pull client alike) into `decoder`;
    /// false when the peer has closed it.
    func readRTSP(into decoder: inout RTSPStreamDecoder, buffer: inout [UInt8], drainingUDP: Bool) throws(SocketError) -> Bool {
        switch try read(into: &buffer, deadline: .now + Self.rtspReadWait(drainingUDP: drainingUDP)).get() {
        case .bytes(let n):
            decoder.push(buffer[0..<n])
        case .endOfStream:
            return false
        case .timedOut:
            break
        }
        return true
    }
}
