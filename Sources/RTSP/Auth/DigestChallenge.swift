import MediaCore

/// A `WWW-Authenticate` challenge (RFC 2617 1.2, 3.2.1; RFC 7616 3.3): the scheme and its
/// parameters, quoted or not, in any order.
public struct AuthenticationChallenge: Sendable, Equatable {
    public var scheme: String
    public var parameters: [String: String]

    public init(scheme: String, parameters: [String: String]) {
        self.scheme = scheme
        self.parameters = parameters
    }

    /// Nil for a header that names no scheme.
    public init?(parsing header: String) {
        let trimmed = header.trimmingSpaces
        guard let space = trimmed.firstIndex(where: { $0 == " " }) else {
            guard !trimmed.isEmpty else { return nil }
            self.init(scheme: trimmed.lowercased(), parameters: [:])
            return
        }
        self.init(scheme: trimmed[..<space].lowercased(), parameters: Self.parameters(String(trimmed[space...])))
    }

    /// `k=v, k="v, with comma"`: commas inside quotes do not split.
    static func parameters(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        var key = "", value = "", inValue = false, quoted = false
        func commit() {
            let k = key.trimmingSpaces.lowercased()
            if !k.isEmpty { result[k] = quoted ? value : value.trimmingSpaces }
            key = ""; value = ""; inValue = false; quoted = false
        }
        var escaped = false
        for c in text {
            if inValue {
                if quoted {
                    if escaped { value.append(c); escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inValue = false; continue } else { value.append(c) }
                    continue
                }
                if c == "\"" && value.trimmingSpaces.isEmpty { quoted = true; value = ""; continue }
                if c == "," { commit(); continue }
                value.append(c)
            } else if c == "=" && !key.trimmingSpaces.isEmpty && !quoted {
                inValue = true
            } else if c == "," {
                commit()
            } else if !quoted {
                key.append(c)
            }
        }
        commit()
        return result
    }

    public var realm: String { parameters["realm"] ?? "" }

    /// The Digest algorithm, nil for an unknown one (MD5 when absent, RFC 2617).
    public var digestAlgorithm: DigestAlgorithm? {
        DigestAlgorithm(name: parameters["algorithm"] ?? "MD5")
    }

    /// Whether the challenge offers qop=auth (RFC 2617 3.2.1: a list of options).
    public var offersQopAuth: Bool {
        (parameters["qop"] ?? "").split(separator: ",").contains { $0.trimmingSpaces.lowercased() == "auth" }
    }
}

/// Digest hash functions (RFC 7616 3.2).
public enum DigestAlgorithm: String, Sendable, Equatable {
    case md5 = "MD5"
    case sha256 = "SHA-256"

    init?(name: String) {
        switch name.uppercased() {
        case "MD5": self = .md5
        case "SHA-256": self = .sha256
        default: return nil
        }
    }

    func hexHash(_ text: String) -> String {
        switch self {
        case .md5: return HexString.encode(MD5.hash(Array(text.utf8)))
        case .sha256: return HexString.encode(SHA256.hash(Array(text.utf8)))
        }
    }
}
