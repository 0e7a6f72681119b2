/// One RTSP request or response (RFC 2326 section 6, 7): a start line, headers in the order
/// received (names compared case-insensitively), and a body (an SDP, a GET_PARAMETER answer).
public struct RTSPMessage: Sendable, Equatable {
    public enum StartLine: Sendable, Equatable {
        case request(method: String, uri: String)
        case response(status: Int, reason: String)
    }

    public var startLine: StartLine
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(startLine: StartLine, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.startLine = startLine
        self.headers = headers
        self.body = body
    }

    public static func request(_ method: String, _ uri: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) -> RTSPMessage {
        RTSPMessage(startLine: .request(method: method, uri: uri), headers: headers, body: body)
    }

    public static func response(_ status: Int, _ reason: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) -> RTSPMessage {
        RTSPMessage(startLine: .response(status: status, reason: reason), headers: headers, body: body)
    }

    public static func == (a: RTSPMessage, b: RTSPMessage) -> Bool {
        a.startLine == b.startLine && a.body == b.body && a.headers.count == b.headers.count
            && zip(a.headers, b.headers).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    public var method: String? { if case let .request(method, _) = startLine { return method }; return nil }
    public var uri: String? { if case let .request(_, uri) = startLine { return uri }; return nil }
    public var status: Int? { if case let .response(status, _) = startLine { return status }; return nil }

    /// The first header named `name` (any case).
    public subscript(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Every header named `name` (several WWW-Authenticate, for instance).
    public func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// CSeq as a number; cameras that send junk there get nil.
    public var cseq: Int? { self["CSeq"].flatMap { Int($0.trimmingSpaces) } }

    /// The session id without its `;timeout=` parameter.
    public var sessionID: String? {
        guard let value = self["Session"] else { return nil }
        return String(value.split(separator: ";", maxSplits: 1).first ?? "").trimmingSpaces
    }

    /// The `;timeout=` of the Session header in seconds (RFC 2326 12.37), when given.
    public var sessionTimeout: Int? {
        guard let value = self["Session"] else { return nil }
        for parameter in value.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].trimmingSpaces.lowercased() == "timeout" { return Int(pair[1].trimmingSpaces) }
        }
        return nil
    }

    /// The message as sent: CRLF lines, Content-Length set from the body.
    public func serialized() -> [UInt8] {
        var text: String
        switch startLine {
        case let .request(method, uri): text = "\(method) \(uri) RTSP/1.0\r\n"
        case let .response(status, reason): text = "RTSP/1.0 \(status) \(reason)\r\n"
        }
        for header in headers where header.name.lowercased() != "content-length" {
            text += "\(header.name): \(header.value)\r\n"
        }
        if !body.isEmpty { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        return Array(text.utf8) + body
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" && $0 != "\r" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" && $0 != "\r" })!
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
