/// The request line and header fields of an HTTP/1.x request (RFC 9112 sections 3 and 5),
/// parsed incrementally from the bytes received so far, within limits.
struct HTTPRequestHead: Equatable, Sendable {
    var method: String
    var target: String
    var version: String
    /// Field names lower-cased, in arrival order.
    var fields: [Field]

    struct Field: Equatable, Sendable {
        var name: String
        var value: String
    }

    struct Limits: Equatable, Sendable {
        var maxRequestLineLength: Int
        var maxHeaderBytes: Int
        var maxFieldCount: Int
    }

    /// Why a head is refused: the HTTP status to answer, and the description for the body.
    struct Refusal: Error, Equatable, Sendable {
        var status: HTTPStatus
        var description: String
    }

    /// The head in `buffer` and the number of bytes it took, or nil when more bytes are needed
    /// (nothing is consumed then). Throws a `Refusal` as soon as a limit is passed or the
    /// syntax is wrong, without waiting for the rest.
    static func parse(_ buffer: [UInt8], limits: Limits) throws(Refusal) -> (head: HTTPRequestHead, length: Int)? {
        guard let lineEnd = buffer.firstIndex(of: 0x0A) else {
            if buffer.count > limits.maxRequestLineLength {
                throw Refusal(status: .uriTooLong, description: "request line longer than \(limits.maxRequestLineLength) bytes")
            }
            return nil
        }
        let requestLine = trimCR(buffer[..<lineEnd])
        guard requestLine.count <= limits.maxRequestLineLength else {
            throw Refusal(status: .uriTooLong, description: "request line longer than \(limits.maxRequestLineLength) bytes")
        }
        // The header section ends at the first empty line.
        var lines: [ArraySlice<UInt8>] = []
        var start = lineEnd + 1
        var headEnd: Int?
        while let end = buffer[start...].firstIndex(of: 0x0A) {
            let line = trimCR(buffer[start..<end])
            start = end + 1
            if line.isEmpty {
                headEnd = start
                break
            }
            lines.append(line)
            if lines.count > limits.maxFieldCount {
                throw Refusal(status: .headerFieldsTooLarge, description: "more than \(limits.maxFieldCount) header fields")
            }
        }
        if start - (lineEnd + 1) > limits.maxHeaderBytes || (headEnd == nil && buffer.count - (lineEnd + 1) > limits.maxHeaderBytes) {
            throw Refusal(status: .headerFieldsTooLarge, description: "header fields longer than \(limits.maxHeaderBytes) bytes")
        }
        guard let headEnd else { return nil }

        guard let line = String(validating: requestLine, as: UTF8.self) else {
            throw Refusal(status: .badRequest, description: "request line is not UTF-8")
        }
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty,
              parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "-") }) else {
            throw Refusal(status: .badRequest, description: "malformed request line: expected METHOD TARGET HTTP/1.1")
        }
        guard parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0" else {
            throw Refusal(status: .badRequest, description: "unsupported protocol '\(parts[2].prefix(20))': expected HTTP/1.1")
        }
        var fields: [Field] = []
        for raw in lines {
            guard let text = String(validating: raw, as: UTF8.self), let colon = text.firstIndex(of: ":"),
                  colon != text.startIndex, !text[..<colon].contains(where: { $0 == " " || $0 == "\t" }) else {
                // RFC 9112 section 5.1: no whitespace between name and colon.
                throw Refusal(status: .badRequest, description: "malformed header field")
            }
            fields.append(Field(name: text[..<colon].lowercased(),
                                value: text[text.index(after: colon)...].trimmingSpacesAndTabs()))
        }
        return (HTTPRequestHead(method: String(parts[0]), target: String(parts[1]), version: String(parts[2]), fields: fields), headEnd)
    }

    private static func trimCR(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        line.last == 0x0D ? line.dropLast() : line
    }
}

private extension Substring {
    func trimmingSpacesAndTabs() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}

/// The statuses the API server answers with.
enum HTTPStatus: Int, Sendable {
    case ok = 200
    case partialContent = 206
    case badRequest = 400
    case forbidden = 403
    case notFound = 404
    case methodNotAllowed = 405
    case requestTimeout = 408
    case conflict = 409
    case uriTooLong = 414
    case rangeNotSatisfiable = 416
    case internalServerError = 500
    case headerFieldsTooLarge = 431
    case serviceUnavailable = 503

    var reason: String {
        switch self {
        case .ok: return "OK"
        case .partialContent: return "Partial Content"
        case .badRequest: return "Bad Request"
        case .forbidden: return "Forbidden"
        case .notFound: return "Not Found"
        case .methodNotAllowed: return "Method Not Allowed"
        case .requestTimeout: return "Request Timeout"
        case .conflict: return "Conflict"
        case .uriTooLong: return "URI Too Long"
        case .rangeNotSatisfiable: return "Range Not Satisfiable"
        case .internalServerError: return "Internal Server Error"
        case .headerFieldsTooLarge: return "Request Header Fields Too Large"
        case .serviceUnavailable: return "Service Unavailable"
        }
    }

    /// A complete `Connection: close` response carrying `body` as JSON.
    func response(body: String, contentType: String = "application/json", extraFields: [(String, String)] = []) -> [UInt8] {
        // A body that ends in a line feed (Prometheus text) is sent as it is.
        let payload = Array((body.hasSuffix("\n") ? body : body + "\n").utf8)
        var head = "HTTP/1.1 \(rawValue) \(reason)\r\n"
        head += "Content-Type: \(contentType)\r\n"
        head += "Content-Length: \(payload.count)\r\n"
        head += "Connection: close\r\n"
        head += "Cache-Control: no-store\r\n"
        for (name, value) in extraFields { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + payload
    }
}
