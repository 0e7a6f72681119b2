#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A TCP socket: one thin wrapper per system call, retrying EINTR, throwing `SocketError`
/// naming the call and the address. Closing is explicit.
public struct StreamSocket: Sendable {
    public let rawValue: Int32
    /// `host:port` as given, for error messages.
    public let address: String

    public enum ReadResult: Equatable, Sendable {
        case bytes(Int)
        case endOfStream
        case timedOut
    }

    /// A listening socket bound to `host:port` (port 0: the kernel picks a free one, see
    /// `localPort()`). The corresponding C functions are `getaddrinfo`, `socket`, `bind`,
    /// `listen`.
    public static func listen(host: String, port: Int, backlog: Int32 = 64) throws(SocketError) -> StreamSocket {
        let label = Self.label(host, port)
        return try withAddress(host: host, port: port, passive: true) { info throws(SocketError) in
            let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw SocketError(call: "socket", address: label, errno: errno) }
            let s = StreamSocket(rawValue: fd, address: label)
            // A restarted server must be able to bind while old connections sit in TIME_WAIT.
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 {
                let e = errno
                s.close()
                throw SocketError(call: "bind", address: label, errno: e)
            }
            if Glibc.listen(fd, backlog) != 0 {
                let e = errno
                s.close()
                throw SocketError(call: "listen", address: label, errno: e)
            }
            return s
        }
    }

    /// A socket connected to `host:port` (blocking connect). The corresponding C function is
    /// `connect`.
    public static func connect(host: String, port: Int) throws(SocketError) -> StreamSocket {
        let label = Self.label(host, port)
        return try withAddress(host: host, port: port, passive: false) { info throws(SocketError) in
            let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw SocketError(call: "socket", address: label, errno: errno) }
            let s = StreamSocket(rawValue: fd, address: label)
            while Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 {
                let e = errno
                if e == EINTR { continue }
                s.close()
                throw SocketError(call: "connect", address: label, errno: e)
            }
            return s
        }
    }

    /// A socket connected to `host:port` before `deadline`: the connect runs non-blocking
    /// and is polled, so an address that drops SYNs costs the deadline, not the kernel's two
    /// minutes. The corresponding C functions are `connect`, `poll` and `getsockopt`.
    public static func connect(host: String, port: Int, deadline: ContinuousClock.Instant) throws(SocketError) -> StreamSocket {
        let label = Self.label(host, port)
        return try withAddress(host: host, port: port, passive: false) { info throws(SocketError) in
            let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else { throw SocketError(call: "socket", address: label, errno: errno) }
            let s = StreamSocket(rawValue: fd, address: label)
            if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 {
                let e = errno
                guard e == EINPROGRESS || e == EINTR else {
                    s.close()
                    throw SocketError(call: "connect", address: label, errno: e)
                }
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                while true {
                    let left = deadline - .now
                    guard left > .zero else {
                        s.close()
                        throw SocketError(call: "connect", address: label, reason: "timed out")
                    }
                    let (seconds, atto) = left.components
                    let n = poll(&p, 1, Int32(clamping: seconds * 1000 + (atto + 999_999_999_999_999) / 1_000_000_000_000_000))
                    if n > 0 { break }
                    if n < 0 && errno != EINTR {
                        let e = errno
                        s.close()
                        throw SocketError(call: "poll", address: label, errno: e)
                    }
                }
                var failure: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length)
                if failure != 0 {
                    s.close()
                    throw SocketError(call: "connect", address: label, errno: failure)
                }
            }
            // Back to blocking: reads and writes below take their own deadlines.
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
            return s
        }
    }

    /// The port the socket is bound to. The corresponding C function is `getsockname`.
    public func localPort() throws(SocketError) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(rawValue, $0, &length) }
        }
        guard result == 0 else { throw SocketError(call: "getsockname", address: address, errno: errno) }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) } }
        case AF_INET6:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) } }
        default:
            throw SocketError(call: "getsockname", address: address, reason: "unexpected address family \(storage.ss_family)")
        }
    }

    /// Accepts one connection; nil when none is pending (the listener is polled first). The
    /// corresponding C function is `accept`.
    public func accept() throws(SocketError) -> StreamSocket? {
        while true {
            let fd = Glibc.accept(rawValue, nil, nil)
            if fd >= 0 {
                // accept4(SOCK_CLOEXEC) is hidden behind _GNU_SOURCE; until a shim has it, a
                // child spawned in this instant could inherit the connection.
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                return StreamSocket(rawValue: fd, address: address)
            }
            let e = errno
            switch e {
            case EINTR: continue
            // The peer gave up between poll and accept, or a transient resource shortage: the
            // listener itself is fine.
            case EAGAIN, ECONNABORTED, EPROTO, EMFILE, ENFILE, ENOBUFS, ENOMEM: return nil
            default: throw SocketError(call: "accept", address: address, errno: e)
            }
        }
    }

    /// Waits until `deadline` (forever when nil) for bytes, then reads what is there. The
    /// corresponding C functions are `poll` and `recv`.
    public func read(into buffer: UnsafeMutableRawBufferPointer, deadline: ContinuousClock.Instant?) throws(SocketError) -> ReadResult {
        while true {
            guard try Self.waitReadable([rawValue], deadline: deadline, address: address) != nil else { return .timedOut }
            let n = recv(rawValue, buffer.baseAddress, buffer.count, 0)
            if n > 0 { return .bytes(n) }
            if n == 0 { return .endOfStream }
            let e = errno
            if e == EINTR || e == EAGAIN { continue }
            // A reset by the peer is its way of leaving.
            if e == ECONNRESET { return .endOfStream }
            throw SocketError(call: "recv", address: address, errno: e)
        }
    }

    /// Writes all of `bytes`, looping over short writes. MSG_NOSIGNAL: a peer that left must
    /// give EPIPE, not a SIGPIPE that kills the server. The corresponding C function is `send`.
    public func writeAll(_ bytes: [UInt8]) throws(SocketError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(SocketError) in try writeAll(raw) } }.get()
    }

    /// Writes all of `buffer` (a block of a served file), looping over short writes.
    public func writeAll(_ buffer: UnsafeRawBufferPointer) throws(SocketError) {
        var done = 0
        while done < buffer.count {
            let n = send(rawValue, buffer.baseAddress! + done, buffer.count - done, Int32(MSG_NOSIGNAL))
            if n >= 0 {
                done += n
                continue
            }
            let e = errno
            if e == EINTR { continue }
            throw SocketError(call: "send", address: address, errno: e)
        }
    }

    /// Bounds how long one `send` may block on a peer that does not read (SO_SNDTIMEO).
    public func setSendTimeout(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(rawValue, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Ends both directions: a thread blocked reading this socket wakes with end of stream.
    /// The corresponding C function is `shutdown`.
    public func shutdownBoth() {
        _ = Glibc.shutdown(rawValue, Int32(SHUT_RDWR))
    }

    /// Ends our direction only: the peer reads end of stream after what we sent. The
    /// corresponding C function is `shutdown`.
    public func shutdownWrite() {
        _ = Glibc.shutdown(rawValue, Int32(SHUT_WR))
    }

    /// Reads and discards the peer's input until it closes, `limit` bytes pass or `timeout`
    /// ends. Call after `shutdownWrite()` and before `close()`: closing with unread input makes
    /// the kernel send a reset, and a reset can destroy our answer in the peer's receive buffer
    /// before it is read (RFC 9112 section 9.6, "lingering close").
    public func discardInput(timeout: Duration = .seconds(1), limit: Int = 1 << 20) {
        let deadline = ContinuousClock.now + timeout
        var discarded = 0
        var scratch = [UInt8](repeating: 0, count: 4096)
        while discarded < limit {
            let result = scratch.withUnsafeMutableBytes { raw in
                Result { () throws(SocketError) in try read(into: raw, deadline: deadline) }
            }
            guard case .success(.bytes(let n)) = result else { return }
            discarded += n
        }
    }

    /// The corresponding C function is `close`. Linux releases the descriptor even on EINTR:
    /// never retried.
    public func close() {
        _ = Glibc.close(rawValue)
    }

    /// Waits until one of `fds` is readable (or hung up) or `deadline` passes; returns its
    /// index, or nil on timeout. The corresponding C function is `poll`.
    static func waitReadable(_ fds: [Int32], deadline: ContinuousClock.Instant?, address: String) throws(SocketError) -> Int? {
        var polls = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        while true {
            var timeout: Int32 = -1
            if let deadline {
                let left = deadline - .now
                if left <= .zero { return nil }
                let (s, atto) = left.components
                // Rounded up, so that we never wake just before the deadline and spin.
                timeout = Int32(clamping: s * 1000 + (atto + 999_999_999_999_999) / 1_000_000_000_000_000)
            }
            let n = poll(&polls, nfds_t(polls.count), timeout)
            if n > 0 {
                if let i = polls.firstIndex(where: { $0.revents != 0 }) { return i }
                continue
            }
            // n == 0: poll timed out; the loop checks the deadline again.
            if n == 0 { continue }
            let e = errno
            if e == EINTR { continue }
            throw SocketError(call: "poll", address: address, errno: e)
        }
    }

    private static func label(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Resolves a numeric or named host with `getaddrinfo` and calls `body` with the first
    /// address.
    private static func withAddress<T>(host: String, port: Int, passive: Bool,
                                       _ body: (UnsafeMutablePointer<addrinfo>) throws(SocketError) -> T) throws(SocketError) -> T {
        let label = label(host, port)
        guard (0...65_535).contains(port) else { throw SocketError(call: "getaddrinfo", address: label, reason: "port out of range 0...65535") }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = passive ? AI_PASSIVE : 0
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw SocketError(call: "getaddrinfo", address: label, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        return try body(first)
    }
}

/// A failed socket call: which call, on which address, and why.
public struct SocketError: Error, Equatable, Sendable, CustomStringConvertible {
    public let call: String
    public let address: String
    public let reason: String
    public let errno: Int32?

    public init(call: String, address: String, errno: Int32) {
        self.call = call
        self.address = address
        self.errno = errno
        reason = String(cString: strerror(errno))
    }

    public init(call: String, address: String, reason: String) {
        self.call = call
        self.address = address
        self.reason = reason
        errno = nil
    }

    public var description: String {
        "\(address): \(call) failed: \(reason)" + (errno.map { " (errno \($0))" } ?? "")
    }
}
