import SystemShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What the stream and datagram sockets share: name resolution, creating a socket that is
/// closed again on every failure, the bound port, and polling against a ContinuousClock
/// deadline. Internal: callers see `StreamSocket`, `DatagramSocket` and `SocketError`.
enum SocketCalls {
    /// `host:port`, or `[host]:port` for an IPv6 literal: the label errors and logs carry.
    static func label(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Resolves a numeric or named host (IPv4 and IPv6) with `getaddrinfo` and tries `body`
    /// on each address in the order the resolver gives, returning the first success; the
    /// error of the last address otherwise. `passive`: addresses to bind, not to reach.
    static func withEachAddress<T>(host: String, port: Int, type: Int32, passive: Bool,
                                   _ body: (UnsafeMutablePointer<addrinfo>) throws(SocketError) -> T) throws(SocketError) -> T {
        let label = label(host, port)
        guard (0...65_535).contains(port) else {
            throw SocketError(call: "getaddrinfo", address: label, reason: "port out of range 0...65535")
        }
        var hints = addrinfo()
        hints.ai_socktype = type
        hints.ai_flags = (passive ? AI_PASSIVE : 0) | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw SocketError(call: "getaddrinfo", address: label, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var next: UnsafeMutablePointer<addrinfo>? = first
        var lastError = SocketError(call: "getaddrinfo", address: label, reason: "no address")
        while let info = next {
            do throws(SocketError) {
                return try body(info)
            } catch {
                lastError = error
            }
            next = info.pointee.ai_next
        }
        throw lastError
    }

    /// A new close-on-exec socket for `info`'s family, handed to `setUp`; the descriptor is
    /// closed when `setUp` throws, so no failure after `socket()` leaks it.
    static func open(_ info: UnsafeMutablePointer<addrinfo>, type: Int32, label: String,
                     _ setUp: (Int32) throws(SocketError) -> Void) throws(SocketError) -> Int32 {
        let fd = socket(info.pointee.ai_family, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError(call: "socket", address: label, errno: errno) }
        do throws(SocketError) {
            try setUp(fd)
        } catch {
            _ = Glibc.close(fd)
            throw error
        }
        return fd
    }

    /// `bind`, throwing with the errno. The corresponding C function is `bind`.
    static func bind(_ fd: Int32, _ info: UnsafeMutablePointer<addrinfo>, label: String) throws(SocketError) {
        if Glibc.bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 {
            throw SocketError(call: "bind", address: label, errno: errno)
        }
    }

    /// The port `fd` is bound to. The corresponding C function is `getsockname`.
    static func localPort(_ fd: Int32, label: String) throws(SocketError) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw SocketError(call: "getsockname", address: label, errno: errno) }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) } }
        case AF_INET6:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) } }
        default:
            throw SocketError(call: "getsockname", address: label, reason: "unexpected address family \(storage.ss_family)")
        }
    }

    /// Milliseconds from now to `deadline` for `poll`, rounded up so that a wait never ends just
    /// before the deadline and spins; 0 when it has passed; -1 (forever) when nil.
    static func pollTimeout(until deadline: ContinuousClock.Instant?) -> Int32 {
        guard let deadline else { return -1 }
        let left = deadline - .now
        if left <= .zero { return 0 }
        let (seconds, atto) = left.components
        return Int32(clamping: seconds * 1000 + (atto + 999_999_999_999_999) / 1_000_000_000_000_000)
    }

    /// Waits until one of `fds` is ready for `events` (or hung up) or `deadline` passes;
    /// returns its index, or nil on timeout. A deadline already past still polls once, so
    /// `until: .now` asks "is anything there?". The corresponding C function is `poll`.
    static func wait(_ fds: [Int32], events: Int16 = Int16(POLLIN), until deadline: ContinuousClock.Instant?,
                     label: String) throws(SocketError) -> Int? {
        var polls = fds.map { pollfd(fd: $0, events: events, revents: 0) }
        while true {
            let n = poll(&polls, nfds_t(polls.count), pollTimeout(until: deadline))
            if n > 0 {
                if let i = polls.firstIndex(where: { $0.revents != 0 }) { return i }
                continue
            }
            if n == 0 {
                // poll timed out: done unless it woke early (coarse timers).
                if let deadline, deadline > .now { continue }
                return nil
            }
            let e = errno
            if e == EINTR { continue }
            throw SocketError(call: "poll", address: label, errno: e)
        }
    }
}
