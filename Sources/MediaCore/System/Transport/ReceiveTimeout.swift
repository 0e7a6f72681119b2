#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The receive timeout armed on one stream socket (SO_RCVTIMEO), kept by the one thread that
/// reads it, so that a read with a deadline is a single blocking `recv` (no `poll` per read)
/// and the option is set again only when the deadline comes nearer than what is armed.
///
/// `longestBlock` bounds one `recv`: after it the reader looks at its deadline (and, with a
/// low-water mark set, gets what has arrived so far: the kernel returns the bytes it has when
/// the timeout ends, `StreamSocket.setReceiveLowWater`).
public struct ReceiveTimeout: Sendable {
    /// One `recv` blocks at most this long.
    public var longestBlock: Duration
    /// What SO_RCVTIMEO is set to now; nil: never set (the kernel's default, no timeout).
    private var armed: Duration?

    /// A second: a silent socket costs a wake-up a second, a deadline is still kept exactly
    /// (the last stretch before it is armed as it is).
    public init(longestBlock: Duration = .seconds(1)) {
        self.longestBlock = longestBlock
    }

    /// Arms `fd` to block until `deadline` at most (and at most `longestBlock`); false when
    /// the deadline has passed. A nil deadline blocks `longestBlock` at a time.
    mutating func arm(_ fd: Int32, until deadline: ContinuousClock.Instant?, label: String) throws(SocketError) -> Bool {
        var wanted = longestBlock
        if let deadline {
            let left = deadline - .now
            if left <= .zero { return false }
            wanted = min(wanted, left)
        }
        // Armed longer than wanted would overshoot the deadline; armed much shorter would
        // wake for nothing: either way set it again, else keep it (no system call).
        if let armed, armed <= wanted, armed * 2 >= wanted { return true }
        // SO_RCVTIMEO of zero means "no timeout": the smallest wait is a microsecond.
        let (seconds, attoseconds) = max(wanted, .microseconds(1)).components
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        guard setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            throw SocketError(call: "setsockopt(SO_RCVTIMEO)", address: label, errno: errno)
        }
        armed = .seconds(tv.tv_sec) + .microseconds(tv.tv_usec)
        return true
    }
}
