/// An `http://host[:port]/path?query` URL, as the auth callback takes it. https is not
/// spoken: a callback runs next to the recorder or on a trusted network (docs/security.md).
public struct HTTPURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// Path and query, as sent in the request line ("/" when the URL has none).
    public var target: String
    public let description: String

    public init(parsing text: String) throws(HTTPURLError) {
        guard text.hasPrefix("http://") else {
            throw HTTPURLError(text.hasPrefix("https://") ? "https is not supported for the auth callback: use http:// on a trusted network (see docs/security.md)"
                                                           : "expected an http:// URL, got '\(PublishSecrets.redacted(text))'")
        }
        let rest = text.dropFirst("http://".count)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if path.hasPrefix("?") { path = "/" + path }
        target = path.isEmpty ? "/" : path
        guard !authority.contains("@") else { throw HTTPURLError("user information in the callback URL is not supported") }
        var hostPart = Substring(authority)
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw HTTPURLError("unclosed [ in '\(text)'") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portPart = after.dropFirst() } else if !after.isEmpty { throw HTTPURLError("bad authority in '\(text)'") }
        } else if let colon = authority.firstIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        guard !hostPart.isEmpty, !hostPart.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) else {
            throw HTTPURLError("no host in '\(text)'")
        }
        host = String(hostPart)
        if let portPart {
            guard let n = Int(portPart), (1...65_535).contains(n) else { throw HTTPURLError("bad port in '\(text)'") }
            port = n
        } else {
            port = 80
        }
        guard !target.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) else { throw HTTPURLError("spaces in '\(text)'") }
        description = text
    }

    /// The Host header's value.
    var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? h : "\(h):\(port)"
    }
}

public struct HTTPURLError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
