/// Handling of publish keys: comparison that takes the same time wherever the first wrong
/// byte is (so response times do not reveal a key byte by byte), and redaction of keys from
/// anything that is logged.
public enum PublishSecrets {
    /// Whether `presented` equals `expected`, in time that depends on their lengths only.
    public static func constantTimeEquals(_ presented: String, _ expected: String) -> Bool {
        let a = Array(presented.utf8), b = Array(expected.utf8)
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count) | (a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }

    /// Query argument names whose values are secrets.
    static let secretNames: Set<String> = ["key", "password", "pass", "passwd", "token", "secret"]
    static let mask = "***"

    /// `text` with the value of every secret query argument (`key=...`, `password=...`,
    /// `token=...`) replaced by `***`, and the password of a `scheme://user:password@host`
    /// URL too. For every log line that may print a URL, an app or a stream name as a client
    /// sent it.
    public static func redacted(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        // Query arguments: a name after ? or & (or at the start), then = and a value up to
        // the next & or a character that ends a URL in a log line.
        while let equals = rest.firstIndex(of: "=") {
            let before = rest[..<equals]
            let nameStart = before.lastIndex { $0 == "?" || $0 == "&" || $0 == " " || $0 == "\"" || $0 == "/" }
                .map { before.index(after: $0) } ?? before.startIndex
            let name = before[nameStart...].lowercased()
            out += rest[...equals]
            rest = rest[rest.index(after: equals)...]
            if secretNames.contains(name) {
                let end = rest.firstIndex { $0 == "&" || $0 == " " || $0 == "\"" || $0 == "'" || $0 == "\n" || $0 == "," || $0 == "}" } ?? rest.endIndex
                if end != rest.startIndex { out += mask }
                rest = rest[end...]
            }
        }
        out += rest
        return redactingURLPasswords(out)
    }

    private static func redactingURLPasswords(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let scheme = rest.range(of: "://") {
            out += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == " " || $0 == "\"" || $0 == "?" } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                out += authority[...colon] + mask + authority[at...]
                rest = rest[authorityEnd...]
            }
        }
        return out + rest
    }
}
