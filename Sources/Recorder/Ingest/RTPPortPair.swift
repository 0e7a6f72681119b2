import MediaCore

/// One RTSP track's UDP sockets: RTP on an even port, RTCP on the next (RFC 3550 11). The
/// pull client and the push server both bind them at SETUP and drain them between reads of
/// the RTSP connection.
struct RTPPortPair {
    let rtp: DatagramSocket
    let rtcp: DatagramSocket

    /// Tries this many kernel-chosen ports before giving up (a neighbour port is often taken).
    static let bindAttempts = 20

    /// Binds two consecutive free ports, RTP on the even one.
    static func bind() throws -> RTPPortPair {
        for _ in 0..<bindAttempts {
            let probe = try DatagramSocket.bind(host: "0.0.0.0", port: 0)
            var port = try probe.localPort()
            if port % 2 == 1 {
                probe.close()
                port -= 1
                guard let rtp = try? DatagramSocket.bind(host: "0.0.0.0", port: port) else { continue }
                guard let rtcp = try? DatagramSocket.bind(host: "0.0.0.0", port: port + 1) else { rtp.close(); continue }
                return RTPPortPair(rtp: rtp, rtcp: rtcp)
            }
            guard let rtcp = try? DatagramSocket.bind(host: "0.0.0.0", port: port + 1) else { probe.close(); continue }
            return RTPPortPair(rtp: probe, rtcp: rtcp)
        }
        throw IngestError("no free pair of UDP ports for RTP")
    }

    /// The RTP port and the RTCP port, as a Transport header's `client_port`/`server_port`.
    func ports() throws -> ClosedRange<Int> { try rtp.localPort()...rtcp.localPort() }

    /// Hands every datagram both sockets hold now to `receive` (payload, whether it is RTCP),
    /// without waiting; true when RTP came.
    func drain(_ buffer: inout [UInt8], _ receive: ([UInt8], _ isRTCP: Bool) -> Void) -> Bool {
        var media = false
        for (socket, isRTCP) in [(rtp, false), (rtcp, true)] {
            while (try? socket.waitReadable(until: .now)) == true, let n = try? socket.receive(into: &buffer), n > 0 {
                if !isRTCP { media = true }
                receive(Array(buffer[0..<n]), isRTCP)
            }
        }
        return media
    }

    func close() {
        rtp.close()
        rtcp.close()
    }
}
