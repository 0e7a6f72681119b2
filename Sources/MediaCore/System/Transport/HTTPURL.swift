/// An `http://host[:port]/path?query` URL, as `HTTPPostClient` takes it (the auth callback,
/// the event hook). https is not spoken: a callback or a hook's receiver runs next to the
/// recorder or on a trusted network (docs/security.md), or behind a local relay.
public struct HTTPURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// Path and query, as sent in the request line ("/" when the URL has none).
    public var target: String
    public let description: String

    public init(parsing text: String) throws(HTTPURLError) {
        guard text.hasPrefix("http://") else {
            throw text.hasPrefix("https://") ? .httpsNotSupported : .notHTTP
        }
        let rest = text.dropFirst("http://".count)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if path.hasPrefix("?") { path = "/" + path }
        target = path.isEmpty ? "/" : path
        guard !authority.contains("@") else { throw .malformed("user information in the URL is not supported") }
        var hostPart = Substring(authority)
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .malformed("unclosed [ in the host") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portPart = after.dropFirst() } else if !after.isEmpty { throw .malformed("unexpected text after the ] of the host") }
        } else if let colon = authority.firstIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        guard !hostPart.isEmpty, !hostPart.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) else {
            throw .malformed("an empty host or one with spaces")
        }
        host = String(hostPart)
        if let portPart {
            guard let n = Int(portPart), (1...65_535).contains(n) else { throw .malformed("bad port '\(portPart)'") }
            port = n
        } else {
            port = 80
        }
        guard !target.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) else { throw .malformed("spaces or line breaks in the path") }
        description = text
    }

    /// The Host header's value.
    public var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? h : "\(h):\(port)"
    }
}

/// Why a text is not an `HTTPURL`. A URL may carry a secret (a key in its query), so these
/// never quote it: the caller decides whether to show it (redacted).
public enum HTTPURLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An https:// URL: the client speaks plain HTTP only.
    case httpsNotSupported
    /// Another scheme, or none.
    case notHTTP
    /// An http:// URL the client cannot use; the text says why.
    case malformed(String)

    public var description: String {
        switch self {
        case .httpsNotSupported: "https is not supported: the recorder posts over plain HTTP; use an http:// URL"
        case .notHTTP: "expected an http:// URL"
        case .malformed(let reason): reason
        }
    }
}
