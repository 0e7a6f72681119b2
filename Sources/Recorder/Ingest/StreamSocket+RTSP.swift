import MediaCore
import RTSP

extension StreamSocket {
    /// How long an RTSP connection's read waits for bytes: briefly while the track's UDP
    /// sockets wait to be drained between reads, else long enough to stay cheap when idle.
    static func rtspReadWait(drainingUDP: Bool) -> Duration { drainingUDP ? .milliseconds(5) : .milliseconds(500) }

    /// One read of an RTSP connection (push server and pull client alike), straight into
    /// `decoder`'s buffer as RTMP's and MPEG-TS's connections read into theirs (no copy on the
    /// way in); false when the peer has closed it. The read waits for bytes first, so that a
    /// wait that ends empty (every 5 ms while UDP is drained) costs no new buffer.
    func readRTSP(into decoder: inout RTSPStreamDecoder, upTo maximum: Int, drainingUDP: Bool) throws(SocketError) -> Bool {
        let deadline = ContinuousClock.now + Self.rtspReadWait(drainingUDP: drainingUDP)
        guard try waitReadable(until: deadline) else { return true }
        let result = decoder.push(upTo: maximum) { buffer in
            let result = Result { () throws(SocketError) in try read(into: buffer, deadline: deadline) }
            if case .success(.bytes(let n)) = result { return (n, result) }
            return (0, result)
        }
        switch try result.get() {
        case .bytes, .timedOut: return true
        case .endOfStream: return false
        }
    }
}
