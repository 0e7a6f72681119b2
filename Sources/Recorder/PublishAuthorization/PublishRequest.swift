import MediaCore
import RTSP

/// Who asks to publish what, in terms every ingest can fill: RTMP (app, name, the query args
/// of the publish name, the connect's app and tcUrl), RTSP push (app and name from the
/// ANNOUNCE URL, user and password), MPEG-TS listeners (the listener's name and the sender's
/// address only).
public struct PublishRequest: Sendable, Equatable {
    public var ingestProtocol: PublishProtocol
    /// The application path (`live` in `rtmp://host/live/cam1`), query removed; "" for TS.
    public var app: String
    /// The stream name asked for, query removed: what record configs match.
    public var name: String
    /// `address:port` or `[address]:port` of the client; nil when the kernel could not say
    /// (then address rules refuse, as for an unknown address).
    public var clientAddress: String?
    /// Query arguments in arrival order (`key=SECRET`, anything an auth callback may want).
    public var query: [QueryItem]
    /// User and password when the protocol carries them (RTSP).
    public var credentials: PublishCredentials?
    /// RTMP's tcUrl, passed on to the auth callback as nginx-rtmp does.
    public var tcUrl: String?

    public struct QueryItem: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public init(ingestProtocol: PublishProtocol, app: String, name: String, clientAddress: String?,
                query: [QueryItem] = [], credentials: PublishCredentials? = nil, tcUrl: String? = nil) {
        self.ingestProtocol = ingestProtocol
        self.app = app
        self.name = name
        self.clientAddress = clientAddress
        self.query = query
        self.credentials = credentials
        self.tcUrl = tcUrl
    }

    /// The client's address without the port.
    public var clientHost: String? { clientAddress.map(SocketAddress.host(of:)) }

    /// The publish key presented: the last `key` query argument, else the password.
    public var presentedKey: String? {
        query.last { $0.name == "key" }?.value ?? credentials?.password
    }

    /// The arguments of a query string (`a=1&key=x`), percent-decoded; `+` stays `+` (it is a
    /// form encoding, not a URL one, and keys may hold it).
    public static func queryItems(_ query: Substring) -> [QueryItem] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return QueryItem(name: percentDecoded(parts[0]), value: parts.count > 1 ? percentDecoded(parts[1]) : "")
        }
    }

    /// `text` split at its first `?`: the part before, and the query items after.
    public static func splitQuery(_ text: String) -> (path: String, query: [QueryItem]) {
        guard let mark = text.firstIndex(of: "?") else { return (text, []) }
        return (String(text[..<mark]), queryItems(text[text.index(after: mark)...]))
    }

    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The ingest a publisher came through.
public enum PublishProtocol: String, Sendable, Equatable, CaseIterable {
    case rtmp
    case rtsp
    case udpTS = "udp-ts"
    case tcpTS = "tcp-ts"

    /// MPEG-TS senders bring nothing but their address: keys and the callback do not apply.
    public var carriesCredentials: Bool { self == .rtmp || self == .rtsp }
}

/// A user name and password (RTSP push: `rtsp://user:pass@host/app/name`, the one protocol
/// that carries them), as the RTSP session proved them. The password is the publish key.
public typealias PublishCredentials = RTSPCredentials
