import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A deliberately plain TCP client for the server tests, independent of the library's socket
/// code: blocking connect to 127.0.0.1, send, recv with SO_RCVTIMEO.
final class LoopbackClient {
    let fd: Int32

    init(port: Int, receiveTimeout: Double = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw ClientError("connect to port \(port): errno \(e)")
        }
        var tv = timeval(tv_sec: Int(receiveTimeout), tv_usec: Int((receiveTimeout - Double(Int(receiveTimeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + done, $0.count - done, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw ClientError("send: errno \(errno)") }
            done += n
        }
    }

    /// Reads until the server closes (or the receive timeout passes: then throws).
    func readToEnd() throws -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            guard n > 0 else { throw ClientError("recv: errno \(errno)") }
            bytes += buffer[..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private var pending: [UInt8] = []

    /// Reads one line (without its newline); nil when the server closed first.
    func readLine() throws -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return nil }
            guard n > 0 else { throw ClientError("recv: errno \(errno)") }
            pending += buffer[..<n]
        }
    }

    /// One HTTP GET on a fresh connection; returns status code and body.
    static func get(port: Int, _ target: String) throws -> (status: Int, body: String, head: String) {
        let client = try LoopbackClient(port: port)
        try client.send("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        return try parseResponse(try client.readToEnd())
    }

    static func parseResponse(_ text: String) throws -> (status: Int, body: String, head: String) {
        guard let split = text.range(of: "\r\n\r\n") else { throw ClientError("no response head in '\(text.prefix(200))'") }
        let head = String(text[..<split.lowerBound])
        let parts = head.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else { throw ClientError("bad status line in '\(head)'") }
        return (status, String(text[split.upperBound...]), head)
    }
}

struct ClientError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The answer JSON as Foundation reads it (checks that it is valid JSON at all).
func parseJSONObject(_ text: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw ClientError("not a JSON object: \(text)")
    }
    return object
}
