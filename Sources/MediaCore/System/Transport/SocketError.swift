#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failed socket call, the one error of the transport: which call, on which address
/// (`host:port` as asked, `[v6]:port` for IPv6), and why (the errno's text, or a reason such as
/// "timed out" when no errno applies).
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

    /// The process or the system is out of descriptors (EMFILE, ENFILE). Creating a socket
    /// (listen, connect, bind) throws this to the caller; `StreamSocket.accept()` never does
    /// (see its EMFILE policy).
    public var isOutOfDescriptors: Bool { errno == EMFILE || errno == ENFILE }

    /// A deadline passed before the call could complete.
    public var isTimeout: Bool { errno == nil && reason == Self.timedOut }

    static let timedOut = "timed out"
}
