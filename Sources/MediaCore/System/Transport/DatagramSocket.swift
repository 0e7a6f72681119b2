#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A bound UDP socket, IPv4 or IPv6 (MPEG-TS over UDP, RTP and RTCP): one thin wrapper per
/// system call, EINTR retried, `SocketError` naming the call and the address. Closing is
/// explicit; `bind` closes what it opened before it throws.
public struct DatagramSocket: ReceivingSocket {
    public let rawValue: Int32
    /// `host:port` as given, for error messages.
    public let address: String

    /// Bursts of TS over UDP arrive faster than one read each: a large receive buffer avoids
    /// drops between reads (the kernel caps it at net.core.rmem_max).
    public static let receiveBufferSize: Int32 = 4 << 20

    /// A UDP socket bound to `host:port` (port 0: the kernel picks a free one, see
    /// `localPort()`). The corresponding C functions are `getaddrinfo`, `socket`, `bind`.
    public static func bind(host: String, port: Int) throws(SocketError) -> DatagramSocket {
        let label = SocketCalls.label(host, port)
        let type = Int32(SOCK_DGRAM.rawValue)
        return try SocketCalls.withEachAddress(host: host, port: port, type: type, passive: true) { info throws(SocketError) in
            let fd = try SocketCalls.open(info, type: type, label: label) { fd throws(SocketError) in
                try SocketCalls.bind(fd, info, label: label)
                var size = receiveBufferSize
                setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            }
            return DatagramSocket(rawValue: fd, address: label)
        }
    }

    /// The port the socket is bound to. The corresponding C function is `getsockname`.
    public func localPort() throws(SocketError) -> Int { try SocketCalls.localPort(rawValue, label: address) }

    /// Whether a datagram arrives before `deadline` (forever when nil); `.now` only looks.
    public func waitReadable(until deadline: ContinuousClock.Instant?) throws(SocketError) -> Bool {
        try SocketCalls.wait([rawValue], until: deadline, label: address) != nil
    }

    /// Reads one datagram and says who sent it (`address:port`, nil when the kernel cannot
    /// say). The corresponding C function is `recvfrom`.
    public func receive(into buffer: UnsafeMutableRawBufferPointer, sender: inout String?) throws(SocketError) -> Int {
        var storage = sockaddr_storage()
        while true {
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let n = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(rawValue, buffer.baseAddress, buffer.count, 0, $0, &length) }
            }
            if n >= 0 {
                sender = SocketAddress.text(of: storage)
                return n
            }
            let e = errno
            if e != EINTR { throw SocketError(call: "recvfrom", address: address, errno: e) }
        }
    }

    /// Sends one datagram to `host:port` (resolved with `getaddrinfo`, in this socket's
    /// family). The corresponding C function is `sendto`.
    public func send(_ bytes: [UInt8], toHost host: String, port: Int) throws(SocketError) {
        let label = SocketCalls.label(host, port)
        try SocketCalls.withEachAddress(host: host, port: port, type: Int32(SOCK_DGRAM.rawValue), passive: false) { info throws(SocketError) in
            while true {
                let n = bytes.withUnsafeBytes { sendto(rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), info.pointee.ai_addr, info.pointee.ai_addrlen) }
                if n >= 0 { return }
                let e = errno
                if e != EINTR { throw SocketError(call: "sendto", address: label, errno: e) }
            }
        }
    }

    /// The corresponding C function is `close`; never retried (Linux releases the descriptor
    /// even on EINTR).
    public func close() {
        _ = Glibc.close(rawValue)
    }
}
