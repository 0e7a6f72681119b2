/// The API token (`--api-token`): when set, every HTTP request but the login form's must
/// carry it, as `Authorization: Bearer TOKEN` (scripts, Prometheus) or as the cookie the
/// console's login form sets (browsers). Compared in constant time, never logged.
public struct APIToken: Sendable, Equatable, CustomStringConvertible {
    /// The cookie that carries the token in a browser (`HttpOnly; SameSite=Strict`).
    static let cookieName = "recorder_token"
    /// 16 random bytes in hex (`openssl rand -hex 16`) is 32 characters; a person-chosen
    /// word shorter than this is guessable through a network API.
    public static let minimumLength = 16
    public static let maximumLength = 256

    let value: String

    /// Refuses tokens that are short, long, or hold characters a cookie or a header cannot
    /// carry as they are (RFC 6265 cookie-octet: no controls, spaces, `"`, `,`, `;`, `\`).
    /// The error never repeats the token.
    public init(_ value: String) throws(ConfigurationError) {
        guard value.utf8.count >= Self.minimumLength, value.utf8.count <= Self.maximumLength,
              value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x2C && $0 != 0x3B && $0 != 0x5C }) else {
            throw ConfigurationError("invalid API token: expected \(Self.minimumLength) to \(Self.maximumLength) printable ASCII characters without spaces, quotes, commas, semicolons or backslashes (e.g. openssl rand -hex 16)")
        }
        self.value = value
    }

    /// Whether `head` carries the token, as a bearer credential or as the console's cookie.
    /// Every candidate is compared, whatever an earlier one gave.
    func isCarried(by head: HTTPRequestHead) -> Bool {
        var matched = false
        for candidate in Self.candidates(in: head) where PublishSecrets.constantTimeEquals(candidate, value) { matched = true }
        return matched
    }

    /// Whether `presented` (the login form's field) is the token.
    func matches(_ presented: String) -> Bool { PublishSecrets.constantTimeEquals(presented, value) }

    /// The `Set-Cookie` value that lets a browser in: the session's life, this server's paths,
    /// not readable by scripts, not sent with requests another site starts.
    var loginCookie: String { "\(Self.cookieName)=\(value); Path=/; HttpOnly; SameSite=Strict" }

    /// The `Set-Cookie` value that removes it.
    static let logoutCookie = "\(cookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"

    /// Never the token: configurations and errors may be printed.
    public var description: String { "APIToken(***)" }

    private static func candidates(in head: HTTPRequestHead) -> [String] {
        var found: [String] = []
        for field in head.fields {
            switch field.name {
            case "authorization":
                // RFC 6750 section 2.1: the scheme is case-insensitive.
                let parts = field.value.split(separator: " ", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == "bearer" { found.append(String(parts[1])) }
            case "cookie":
                for pair in field.value.split(separator: ";") {
                    let trimmed = pair.drop(while: { $0 == " " })
                    if trimmed.hasPrefix(cookieName + "=") { found.append(String(trimmed.dropFirst(cookieName.count + 1))) }
                }
            default:
                continue
            }
        }
        return found
    }
}
