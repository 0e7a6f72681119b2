import MediaCore

/// An `rtsp://[user[:password]@]host[:port][/path][?query]` URL, split into what a session
/// sends (the URL without credentials: the Digest `uri` and the request lines never carry
/// them) and the credentials, percent-decoded (`p%40ss` is `p@ss`).
public struct RTSPURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// From the first `/` after the authority (query included); "" when none.
    public var pathAndQuery: String
    public var user: String?
    public var password: String?
    public var scheme: String

    public static let defaultPort = 554

    public init(parsing text: String) throws(RTSPError) {
        let lower = text.lowercased()
        guard let schemeEnd = lower.firstRange(of: "://"), ["rtsp", "rtsps", "rtspt"].contains(String(lower[..<schemeEnd.lowerBound])) else {
            throw .malformedURL("'\(text.prefix(200))' does not start with rtsp://")
        }
        scheme = String(lower[..<schemeEnd.lowerBound])
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        pathAndQuery = String(rest[authorityEnd...])
        if let at = authority.lastIndex(of: "@") {
            let credentials = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                user = Self.percentDecoded(credentials[..<colon])
                password = Self.percentDecoded(credentials[credentials.index(after: colon)...])
            } else {
                user = Self.percentDecoded(credentials)
            }
        }
        // [v6]:port, host:port, host
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            port = after.hasPrefix(":") ? Int(after.dropFirst()) ?? -1 : Self.defaultPort
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = Int(authority[authority.index(after: colon)...]) ?? -1
        } else {
            host = String(authority)
            port = Self.defaultPort
        }
        guard !host.isEmpty else { throw .malformedURL("'\(text.prefix(200))' has no host") }
        guard (1...65535).contains(port) else { throw .malformedURL("'\(text.prefix(200))' has an invalid port") }
    }

    /// The URL as requests carry it: no credentials.
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(hostPart)\(port == Self.defaultPort ? "" : ":\(port)")\(pathAndQuery)"
    }

    /// The last non-empty path segment (the stream name of a push), without a query.
    public var lastPathSegment: String? {
        let path = pathAndQuery.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return path.split(separator: "/").last.map(String.init)
    }

    /// A media's `a=control` against `base` (RFC 2326 C.1.1): `*` or empty is the base itself,
    /// an absolute URL is taken as is (its credentials dropped), anything else is appended
    /// after a `/`: what cameras and their clients (ffmpeg, live555) expect, even for the
    /// broken bases cameras send (a base with a query string, a missing trailing slash).
    public static func resolve(control: String, base: String) -> String {
        let control = control.trimmingSpaces
        if control.isEmpty || control == "*" { return base }
        if control.lowercased().hasPrefix("rtsp://") || control.lowercased().hasPrefix("rtsps://") {
            return (try? RTSPURL(parsing: control))?.description ?? control
        }
        let relative = control.hasPrefix("/") ? String(control.dropFirst()) : control
        return base.hasSuffix("/") ? base + relative : base + "/" + relative
    }

    static func percentDecoded<S: StringProtocol>(_ text: S) -> String {
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "%"), i + 2 < utf8.count, let value = HexString.decode(String(decoding: utf8[(i + 1)...(i + 2)], as: UTF8.self))?.first {
                bytes.append(value)
                i += 3
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
