import SystemShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A TCP socket, IPv4 or IPv6: one thin wrapper per system call, retrying EINTR, throwing
/// `SocketError` naming the call and the address. Closing is explicit; every constructor
/// closes what it opened before it throws. Deadlines are `ContinuousClock` instants.
///
/// EMFILE policy (one for the whole transport): creating a socket (`listen`, `connect`) when
/// the process is out of descriptors throws (`SocketError.isOutOfDescriptors`), so the caller
/// sees why; `accept()` does not, because the listener itself is fine: it returns nil after
/// waiting `acceptBackoff`, and the accept loop tries again once connections have closed.
public struct StreamSocket: ReceivingSocket {
    public let rawValue: Int32
    /// `host:port` as given, for error messages.
    public let address: String

    /// How long `accept()` waits after a resource shortage (EMFILE, ENFILE, ENOBUFS, ENOMEM)
    /// before it returns: the pending connection stays readable, and without a pause the
    /// accept loop would spin on it at full CPU until a descriptor is free.
    public static let acceptBackoff: Duration = .milliseconds(10)

    public enum ReadResult: Equatable, Sendable {
        case bytes(Int)
        case endOfStream
        case timedOut
    }

    public init(rawValue: Int32, address: String) {
        self.rawValue = rawValue
        self.address = address
    }

    /// A listening socket bound to `host:port` (port 0: the kernel picks a free one, see
    /// `localPort()`). The corresponding C functions are `getaddrinfo`, `socket`, `bind`,
    /// `listen`.
    public static func listen(host: String, port: Int, backlog: Int32 = 64) throws(SocketError) -> StreamSocket {
        let label = SocketCalls.label(host, port)
        let type = Int32(SOCK_STREAM.rawValue)
        return try SocketCalls.withEachAddress(host: host, port: port, type: type, passive: true) { info throws(SocketError) in
            let fd = try SocketCalls.open(info, type: type, label: label) { fd throws(SocketError) in
                // A restarted server must be able to bind while old connections sit in TIME_WAIT.
                var one: Int32 = 1
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
                try SocketCalls.bind(fd, info, label: label)
                if Glibc.listen(fd, backlog) != 0 { throw SocketError(call: "listen", address: label, errno: errno) }
            }
            return StreamSocket(rawValue: fd, address: label)
        }
    }

    /// A socket connected to `host:port` (blocking connect; each resolved address in turn).
    /// The corresponding C function is `connect`.
    public static func connect(host: String, port: Int) throws(SocketError) -> StreamSocket {
        try connect(host: host, port: port, deadline: nil)
    }

    /// A socket connected to `host:port` before `deadline` (nil: the kernel's own timeout):
    /// the connect runs non-blocking and is polled, so an address that drops SYNs costs the
    /// deadline, not the kernel's two minutes. Each resolved address (IPv6 and IPv4) is tried
    /// in turn until one answers. The corresponding C functions are `connect`, `poll` and
    /// `getsockopt`.
    public static func connect(host: String, port: Int, deadline: ContinuousClock.Instant?) throws(SocketError) -> StreamSocket {
        let label = SocketCalls.label(host, port)
        let type = Int32(SOCK_STREAM.rawValue)
        return try SocketCalls.withEachAddress(host: host, port: port, type: type, passive: false) { info throws(SocketError) in
            let fd = try SocketCalls.open(info, type: type | Int32(SOCK_NONBLOCK.rawValue), label: label) { fd throws(SocketError) in
                try finishConnect(fd, info, deadline: deadline, label: label)
            }
            return StreamSocket(rawValue: fd, address: label)
        }
    }

    private static func finishConnect(_ fd: Int32, _ info: UnsafeMutablePointer<addrinfo>,
                                      deadline: ContinuousClock.Instant?, label: String) throws(SocketError) {
        if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 {
            let e = errno
            guard e == EINPROGRESS || e == EINTR else { throw SocketError(call: "connect", address: label, errno: e) }
            guard try SocketCalls.wait([fd], events: Int16(POLLOUT), until: deadline, label: label) != nil else {
                throw SocketError(call: "connect", address: label, reason: SocketError.timedOut)
            }
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length)
            if failure != 0 { throw SocketError(call: "connect", address: label, errno: failure) }
        }
        // Back to blocking: reads and writes below take their own deadlines.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    }

    /// The port the socket is bound to. The corresponding C function is `getsockname`.
    public func localPort() throws(SocketError) -> Int { try SocketCalls.localPort(rawValue, label: address) }

    /// The peer's `address:port`, nil when the kernel cannot say.
    public func peerAddress() -> String? { SocketAddress.peer(of: rawValue) }

    /// Accepts one connection; nil when none could be taken: none pending, the peer gave up
    /// between poll and accept, or a resource shortage (after `acceptBackoff`, see the EMFILE
    /// policy above). Throws only when the listener itself is broken. The corresponding C
    /// function is `accept4` (close-on-exec set atomically).
    public func accept() throws(SocketError) -> StreamSocket? {
        while true {
            let fd = shim_accept4(rawValue, nil, nil, Int32(SOCK_CLOEXEC.rawValue))
            if fd >= 0 { return StreamSocket(rawValue: fd, address: address) }
            let e = errno
            switch e {
            case EINTR: continue
            case EAGAIN, ECONNABORTED, EPROTO: return nil
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                let (seconds, atto) = Self.acceptBackoff.components
                var pause = timespec(tv_sec: Int(seconds), tv_nsec: Int(atto / 1_000_000_000))
                _ = nanosleep(&pause, nil)
                return nil
            default: throw SocketError(call: "accept", address: address, errno: e)
            }
        }
    }

    /// Waits until `deadline` (forever when nil) for bytes, then reads what is there. The
    /// corresponding C functions are `poll` and `recv`.
    /// The first `recv` does not wait (MSG_DONTWAIT): while bytes stream in, a read is one
    /// system call, and `poll` runs only when there is nothing to read yet.
    public func read(into buffer: UnsafeMutableRawBufferPointer, deadline: ContinuousClock.Instant?) throws(SocketError) -> ReadResult {
        var mayHaveBytes = true
        while true {
            if !mayHaveBytes {
                guard try SocketCalls.wait([rawValue], until: deadline, label: address) != nil else { return .timedOut }
            }
            let n = recv(rawValue, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
            if n > 0 { return .bytes(n) }
            if n == 0 { return .endOfStream }
            let e = errno
            if e == EAGAIN || e == EWOULDBLOCK { mayHaveBytes = false; continue }
            if e == EINTR { continue }
            // A reset by the peer is its way of leaving.
            if e == ECONNRESET { return .endOfStream }
            throw SocketError(call: "recv", address: address, errno: e)
        }
    }

    /// Waits until `deadline` (forever when nil) for bytes, then reads what is there, in one
    /// blocking `recv` bounded by the kernel's receive timeout (`timeout` arms it only when the
    /// deadline comes nearer than what is set): a reader that reads all the time, such as a
    /// live publisher's connection, makes one system call per read and no `poll`. With a
    /// low-water mark (`setReceiveLowWater`), the `recv` returns once that many bytes are there
    /// or `timeout.longestBlock` has passed with some. The corresponding C function is `recv`.
    public func read(into buffer: UnsafeMutableRawBufferPointer, deadline: ContinuousClock.Instant?,
                     timeout: inout ReceiveTimeout) throws(SocketError) -> ReadResult {
        while true {
            // A deadline that has passed still reads what is there, without waiting.
            let flags = try timeout.arm(rawValue, until: deadline, label: address) ? 0 : Int32(MSG_DONTWAIT)
            let n = recv(rawValue, buffer.baseAddress, buffer.count, flags)
            if n > 0 { return .bytes(n) }
            if n == 0 { return .endOfStream }
            let e = errno
            if e == EAGAIN || e == EWOULDBLOCK {
                if flags != 0 { return .timedOut }
                continue
            }
            if e == EINTR { continue }
            if e == ECONNRESET { return .endOfStream }
            throw SocketError(call: "recv", address: address, errno: e)
        }
    }

    /// Makes a blocking `recv` wait until `bytes` are there (or its timeout ends, when it
    /// returns what it has), so that a stream arriving in small pieces is read in few system
    /// calls and wakes its thread fewer times. The corresponding C function is `setsockopt`
    /// (SO_RCVLOWAT).
    public func setReceiveLowWater(_ bytes: Int) {
        var value = Int32(clamping: bytes)
        setsockopt(rawValue, SOL_SOCKET, SO_RCVLOWAT, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// `read(into:deadline:)` into the whole of `buffer`, as a `Result`, so that a read loop
    /// switches over bytes, end, timeout and failure in one place.
    public func read(into buffer: inout [UInt8], deadline: ContinuousClock.Instant?) -> Result<ReadResult, SocketError> {
        buffer.withUnsafeMutableBytes { raw in
            Result { () throws(SocketError) in try read(into: raw, deadline: deadline) }
        }
    }

    /// Whether bytes (or the end of the stream) arrive before `deadline`; `.now` only looks.
    public func waitReadable(until deadline: ContinuousClock.Instant?) throws(SocketError) -> Bool {
        try SocketCalls.wait([rawValue], until: deadline, label: address) != nil
    }

    /// Reads what is there into `buffer`; 0 at the end of the stream (or a reset). `sender`
    /// is left as it is: a connection has one peer. The corresponding C function is `recv`.
    public func receive(into buffer: UnsafeMutableRawBufferPointer, sender: inout String?) throws(SocketError) -> Int {
        if case .bytes(let n) = try read(into: buffer, deadline: nil) { return n }
        return 0
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
            guard case .success(.bytes(let n)) = read(into: &scratch, deadline: deadline) else { return }
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
    public static func waitReadable(_ fds: [Int32], deadline: ContinuousClock.Instant?, address: String) throws(SocketError) -> Int? {
        try SocketCalls.wait(fds, until: deadline, label: address)
    }
}
