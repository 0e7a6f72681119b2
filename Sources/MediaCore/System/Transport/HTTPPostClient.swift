/// The recorder's one HTTP client (the publish auth callback, the event hook): HTTP/1.1 over
/// `StreamSocket`, one POST per connection (`Connection: close`), of which only the status
/// line and the Location field are read, everything within one deadline. Plain HTTP only:
/// no TLS (and no libcurl) is linked into the recorder.
public enum HTTPPostClient {
    /// An answer's head longer than this is not an answer a callback or a hook sends.
    public static let maxResponseHeadBytes = 16 * 1024

    /// What the body is; its raw value is the Content-Type field.
    public enum ContentType: String, Sendable {
        /// The auth callback's nginx-rtmp `on_publish` form.
        case form = "application/x-www-form-urlencoded"
        /// An event.
        case json = "application/json"
    }

    public struct Answer: Sendable, Equatable {
        public var status: Int
        public var location: String?

        public init(status: Int, location: String? = nil) {
            self.status = status
            self.location = location
        }
    }

    public static func post(_ url: HTTPURL, body: String, contentType: ContentType,
                            deadline: ContinuousClock.Instant) throws(HTTPPostError) -> Answer {
        let socket: StreamSocket
        do {
            socket = try StreamSocket.connect(host: url.host, port: url.port, deadline: deadline)
        } catch {
            throw HTTPPostError("cannot connect: \(error.reason)")
        }
        defer { socket.close() }
        let bodyBytes = Array(body.utf8)
        let head = "POST \(url.target) HTTP/1.1\r\nHost: \(url.hostHeader)\r\nUser-Agent: StreamRecorder\r\n"
            + "Content-Type: \(contentType.rawValue)\r\nContent-Length: \(bodyBytes.count)\r\nConnection: close\r\n\r\n"
        let left = deadline - .now
        guard left > .zero else { throw HTTPPostError("timed out") }
        socket.setSendTimeout(left)
        do {
            try socket.writeAll(Array(head.utf8) + bodyBytes)
        } catch {
            throw HTTPPostError("cannot send the request: \(error.reason)")
        }
        var received: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            if let answer = try parseHead(received) { return answer }
            guard received.count <= maxResponseHeadBytes else { throw HTTPPostError("answer head longer than \(maxResponseHeadBytes) bytes") }
            let result = socket.read(into: &scratch, deadline: deadline)
            switch result {
            case .success(.bytes(let n)): received += scratch[0..<n]
            case .success(.endOfStream): throw HTTPPostError(received.isEmpty ? "closed without an answer" : "closed in the middle of the answer")
            case .success(.timedOut): throw HTTPPostError("no answer within the timeout")
            case .failure(let error): throw HTTPPostError("cannot read the answer: \(error.reason)")
            }
        }
    }

    /// The status and Location of a complete head in `bytes`; nil while it is incomplete.
    /// Bare LF line ends are taken too (RFC 9112 2.2 lets a recipient accept them).
    public static func parseHead(_ bytes: [UInt8]) throws(HTTPPostError) -> Answer? {
        guard let end = bytes.firstRange(of: [13, 10, 13, 10]) ?? bytes.firstRange(of: [10, 10]) else { return nil }
        let lines = bytes[..<end.lowerBound].split(separator: 10, omittingEmptySubsequences: false)
            .map { String(decoding: $0.last == 13 ? $0.dropLast() : $0, as: UTF8.self) }
        let statusLine = lines.first ?? ""
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1]) else {
            throw HTTPPostError("not an HTTP answer: '\(statusLine.prefix(80))'")
        }
        var location: String?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == "location" {
                location = String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })
                while location?.last == " " || location?.last == "\t" { location?.removeLast() }
            }
        }
        return Answer(status: status, location: location)
    }
}

/// Why a POST got no answer: connecting, sending or reading failed, or the answer was not HTTP.
public struct HTTPPostError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
