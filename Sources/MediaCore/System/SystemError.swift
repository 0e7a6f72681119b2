#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failed system call: which call, on which path, and the errno it returned.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    public let call: String
    public let path: String
    public let errno: Int32

    public init(call: String, path: String, errno: Int32) {
        self.call = call
        self.path = path
        self.errno = errno
    }

    public var description: String {
        "\(path): \(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }

    public var isNoSpace: Bool { errno == ENOSPC || errno == EDQUOT }
    public var isWouldBlock: Bool { errno == EWOULDBLOCK || errno == EAGAIN }
    public var isNotFound: Bool { errno == ENOENT }
}
