#if canImport(Glibc)
import Glibc
#endif

/// A thin owner of a socket: one wrapper per system call, EINTR retried, typed errors naming
/// the call and the address. Used by the MPEG-TS listeners (UDP, TCP).
public struct Socket: Sendable {
    public let descriptor: FileDescriptor
    public var rawValue: Int32 { descriptor.rawValue }

    /// A bound UDP socket on `host:port` (port 0 picks a free one).
    public static func udp(host: String, port: UInt16) throws(SystemError) -> Socket {
        let s = try make(Int32(SOCK_DGRAM.rawValue), "\(host):\(port)")
        try s.bind(host: host, port: port)
        // Bursts of TS over UDP arrive faster than one read each; a large buffer avoids drops.
        var size: Int32 = 4 << 20
        setsockopt(s.rawValue, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        return s
    }

    /// A listening TCP socket on `host:port`.
    public static func tcpListener(host: String, port: UInt16, backlog: Int32 = 16) throws(SystemError) -> Socket {
        let s = try make(Int32(SOCK_STREAM.rawValue), "\(host):\(port)")
        var one: Int32 = 1
        setsockopt(s.rawValue, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        try s.bind(host: host, port: port)
        if listen(s.rawValue, backlog) != 0 { throw SystemError(call: "listen", path: s.descriptor.path, errno: errno) }
        return s
    }

    private static func make(_ type: Int32, _ name: String) throws(SystemError) -> Socket {
        let fd = socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError(call: "socket", path: name, errno: errno) }
        return Socket(descriptor: FileDescriptor(rawValue: fd, path: name))
    }

    private func bind(host: String, port: UInt16) throws(SystemError) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw SystemError(call: "inet_pton", path: descriptor.path, errno: EINVAL)
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(rawValue, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 { throw SystemError(call: "bind", path: descriptor.path, errno: errno) }
    }

    /// The port the socket is bound to (after binding port 0).
    public func localPort() throws(SystemError) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(rawValue, $0, &length) }
        }
        if rc != 0 { throw SystemError(call: "getsockname", path: descriptor.path, errno: errno) }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Waits up to `timeout` seconds for data (or a connection); false on timeout.
    public func waitReadable(timeout: Double) throws(SystemError) -> Bool {
        var p = pollfd(fd: rawValue, events: Int16(POLLIN), revents: 0)
        while true {
            let rc = poll(&p, 1, Int32(timeout * 1000))
            if rc > 0 { return true }
            if rc == 0 { return false }
            if errno != EINTR { throw SystemError(call: "poll", path: descriptor.path, errno: errno) }
        }
    }

    /// Reads what is there (a datagram, or stream bytes); 0 at the end of a stream.
    public func receive(into buffer: inout [UInt8]) throws(SystemError) -> Int {
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(rawValue, $0.baseAddress, $0.count, 0) }
            if n >= 0 { return n }
            if errno != EINTR { throw SystemError(call: "recv", path: descriptor.path, errno: errno) }
        }
    }

    /// Reads one datagram and says who sent it (`address:port`, nil when the kernel cannot
    /// say). The corresponding C function is `recvfrom`.
    public func receive(into buffer: inout [UInt8], sender: inout String?) throws(SystemError) -> Int {
        var storage = sockaddr_storage()
        while true {
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let n = buffer.withUnsafeMutableBytes { raw in
                withUnsafeMutablePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(rawValue, raw.baseAddress, raw.count, 0, $0, &length) }
                }
            }
            if n >= 0 {
                sender = SocketAddress.text(of: storage)
                return n
            }
            if errno != EINTR { throw SystemError(call: "recvfrom", path: descriptor.path, errno: errno) }
        }
    }

    /// The peer of a connected socket (`address:port`), nil when the kernel cannot say.
    public func peerAddress() -> String? { SocketAddress.peer(of: rawValue) }

    /// Sends one datagram to `host:port` (an IPv4 address). The corresponding C function is
    /// `sendto`.
    public func send(_ bytes: [UInt8], toHost host: String, port: UInt16) throws(SystemError) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw SystemError(call: "inet_pton", path: "\(host):\(port)", errno: EINVAL)
        }
        while true {
            let n = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                    bytes.withUnsafeBytes { sendto(rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), sa, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            }
            if n >= 0 { return }
            if errno != EINTR { throw SystemError(call: "sendto", path: "\(host):\(port)", errno: errno) }
        }
    }

    /// Accepts one connection.
    public func accept() throws(SystemError) -> Socket {
        while true {
            let fd = Glibc.accept(rawValue, nil, nil)
            if fd >= 0 {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)  // accept4 is hidden behind _GNU_SOURCE
                return Socket(descriptor: FileDescriptor(rawValue: fd, path: descriptor.path + " (client)"))
            }
            if errno != EINTR { throw SystemError(call: "accept", path: descriptor.path, errno: errno) }
        }
    }

    public func close() { try? descriptor.close() }
}
