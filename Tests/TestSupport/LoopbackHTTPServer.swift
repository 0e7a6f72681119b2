import Foundation
import MediaCore

/// A small HTTP/1.1 server on 127.0.0.1 for tests of the recorder's HTTP clients (the publish
/// auth callback): each request is recorded and answered by `respond`; a nil answer holds the
/// connection open without a word until `stop()` (a callback that never answers). Accepting and
/// a thread per connection are MediaCore's `ConnectionServer`.
public final class LoopbackHTTPServer: @unchecked Sendable {
    public struct Request: Sendable {
        public var method: String
        public var target: String
        /// Field names lower-cased.
        public var fields: [String: String]
        public var body: String

        /// The body's form fields (`application/x-www-form-urlencoded`), decoded.
        public var form: [String: String] {
            var result: [String: String] = [:]
            for pair in body.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                    String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
                }
                result[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
            return result
        }
    }

    public struct Response: Sendable {
        public var status: Int
        public var fields: [(String, String)]
        public init(status: Int, fields: [(String, String)] = []) {
            self.status = status
            self.fields = fields
        }
    }

    /// More connections than any test opens at once.
    static let maxConnections = 32

    /// Set once in `init`, after the properties its handler reads.
    private var server: ConnectionServer!
    private let respond: @Sendable (Request) -> Response?
    private let lock = NSLock()
    private var received: [Request] = []

    public init(respond: @escaping @Sendable (Request) -> Response?) throws {
        self.respond = respond
        server = ConnectionServer(host: "127.0.0.1", port: 0, maxConnections: Self.maxConnections, name: "test-http",
                                  handle: { [self] connection in serve(connection) }, reject: { _ in })
        try server.start()
    }

    public var port: Int { server.port }

    public var url: String { "http://127.0.0.1:\(port)/auth" }

    public var requests: [Request] { lock.withLock { received } }

    /// Closes the port and every connection, the held ones too.
    public func stop() { server.stop() }

    /// One exchange, on the connection's own thread (the server closes the socket).
    private func serve(_ connection: StreamSocket) {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var request: Request?
        while request == nil {
            guard (try? connection.waitReadable(until: .now + .seconds(5))) == true, let n = try? connection.receive(into: &buffer), n > 0 else { return }
            bytes += buffer[0..<n]
            request = Self.parse(bytes)
        }
        lock.withLock { received.append(request!) }
        guard let response = respond(request!) else {
            // Held without a word: `stop()` shuts the socket down, which ends this wait.
            _ = try? connection.waitReadable(until: nil)
            return
        }
        var text = "HTTP/1.1 \(response.status) Status\r\nContent-Length: 0\r\nConnection: close\r\n"
        for (name, value) in response.fields { text += "\(name): \(value)\r\n" }
        _ = try? connection.writeAll(Array((text + "\r\n").utf8))
    }

    /// A request once its head and Content-Length bytes of body are in.
    private static func parse(_ bytes: [UInt8]) -> Request? {
        guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { return nil }
        let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let line = head[0].split(separator: " ")
        var fields: [String: String] = [:]
        for field in head.dropFirst() {
            guard let colon = field.firstIndex(of: ":") else { continue }
            fields[field[..<colon].lowercased()] = field[field.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(fields["content-length"] ?? "0") ?? 0
        guard bytes.count - end.upperBound >= length else { return nil }
        return Request(method: line.first.map(String.init) ?? "", target: line.count > 1 ? String(line[1]) : "", fields: fields,
                       body: String(decoding: bytes[end.upperBound..<(end.upperBound + length)], as: UTF8.self))
    }
}
