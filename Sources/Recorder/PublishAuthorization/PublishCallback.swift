import MediaCore

/// `--publish-auth-url`: an HTTP endpoint asked about each publisher, as nginx-rtmp's
/// `on_publish` is. The request is a POST of a form (`application/x-www-form-urlencoded`):
///
///     call=publish&protocol=rtmp&addr=192.0.2.7&app=live&name=cam1&type=live
///     &tcurl=rtmp%3A%2F%2Fhost%2Flive&key=SECRET      (then every other query argument)
///
/// (RTSP adds user= and password=). The answer decides:
/// - 2xx: publish under the name asked for;
/// - 3xx with a Location: publish under the last path segment of the Location (nginx-rtmp's
///   rename: `Location: cam7` or `/live/cam7` or `rtmp://host/live/cam7` all give `cam7`);
/// - anything else, no answer within `timeout`, an unreachable endpoint, an answer that is
///   not HTTP: refused (fail closed), and the log says which.
public struct PublishCallback: Sendable, Equatable {
    public var url: HTTPURL
    public var timeout: Duration

    /// nginx-rtmp's on_publish waits as long; an encoder's connect timeout is longer.
    public static let defaultTimeout: Duration = .seconds(3)

    public init(url: HTTPURL, timeout: Duration = defaultTimeout) {
        self.url = url
        self.timeout = timeout
    }

    /// The form fields sent for `request`.
    public static func formFields(for request: PublishRequest) -> [(String, String)] {
        var fields: [(String, String)] = [("call", "publish"), ("protocol", request.ingestProtocol.rawValue),
                                          ("addr", request.clientHost ?? ""), ("app", request.app),
                                          ("name", request.name), ("type", "live")]
        if let tcUrl = request.tcUrl { fields.append(("tcurl", PublishRequest.splitQuery(tcUrl).path)) }
        if let credentials = request.credentials {
            fields += [("user", credentials.user), ("password", credentials.password)]
        }
        let reserved = Set(fields.map(\.0))
        fields += request.query.filter { !reserved.contains($0.name) }.map { ($0.name, $0.value) }
        return fields
    }

    /// `fields` as an `application/x-www-form-urlencoded` body.
    public static func formBody(_ fields: [(String, String)]) -> String {
        fields.map { formEncoded($0.0) + "=" + formEncoded($0.1) }.joined(separator: "&")
    }

    /// What the callback's answer means for `request`.
    public static func decision(status: Int, location: String?, for request: PublishRequest) -> PublishDecision {
        switch status {
        case 200..<300:
            return .allow(name: request.name)
        case 300..<400:
            guard let location, let name = renamedStream(location: location) else {
                return .refuse(PublishRefusal(.callbackFailed, "the auth callback answered \(status) without a usable Location"))
            }
            return .allow(name: name)
        default:
            return .refuse(PublishRefusal(.callbackRefused, "the auth callback answered \(status)"))
        }
    }

    /// The last path segment of a Location, its query removed; nil when that leaves nothing.
    static func renamedStream(location: String) -> String? {
        let path = PublishRequest.splitQuery(location).path
        return path.split(separator: "/").last.map(String.init)
    }

    private static func formEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(UnicodeScalar(byte))
            default:
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
