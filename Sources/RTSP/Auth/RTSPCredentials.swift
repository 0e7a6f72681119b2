import MediaCore

/// A user and password, and the `Authorization` headers they make.
public struct RTSPCredentials: Sendable, Equatable {
    public var user: String
    public var password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    /// The challenge we answer among several: Digest SHA-256, then Digest MD5, then Basic
    /// (cameras offer several WWW-Authenticate headers; the strongest one we speak wins).
    public static func preferredChallenge(_ headers: [String]) -> AuthenticationChallenge? {
        let challenges = headers.compactMap(AuthenticationChallenge.init(parsing:))
        let digests = challenges.filter { $0.scheme == "digest" && $0.digestAlgorithm != nil && $0.parameters["nonce"] != nil }
        return digests.first { $0.digestAlgorithm == .sha256 } ?? digests.first ?? challenges.first { $0.scheme == "basic" }
    }

    /// The `Authorization` value for `method` on `uri` (the URL without credentials, RFC 2617
    /// 3.2.2 digest-uri) under `challenge`. `nonceCount` counts our uses of its nonce;
    /// `cnonce` is ours (random in practice, fixed in tests).
    public func authorization(for challenge: AuthenticationChallenge, method: String, uri: String,
                              nonceCount: Int = 1, cnonce: String) -> String? {
        switch challenge.scheme {
        case "basic":
            return "Basic " + Base64.encode(Array("\(user):\(password)".utf8))
        case "digest":
            guard let algorithm = challenge.digestAlgorithm, let nonce = challenge.parameters["nonce"] else { return nil }
            let realm = challenge.realm
            let ha1 = algorithm.hexHash("\(user):\(realm):\(password)")
            let ha2 = algorithm.hexHash("\(method):\(uri)")
            var fields = ["username=\"\(user)\"", "realm=\"\(realm)\"", "nonce=\"\(nonce)\"", "uri=\"\(uri)\""]
            let response: String
            if challenge.offersQopAuth {
                let nc = String(nonceCount, radix: 16).leftPadded(to: 8)
                response = algorithm.hexHash("\(ha1):\(nonce):\(nc):\(cnonce):auth:\(ha2)")
                fields += ["response=\"\(response)\"", "qop=auth", "nc=\(nc)", "cnonce=\"\(cnonce)\""]
            } else {
                response = algorithm.hexHash("\(ha1):\(nonce):\(ha2)")
                fields.append("response=\"\(response)\"")
            }
            if challenge.parameters["algorithm"] != nil { fields.append("algorithm=\(algorithm.rawValue)") }
            if let opaque = challenge.parameters["opaque"] { fields.append("opaque=\"\(opaque)\"") }
            return "Digest " + fields.joined(separator: ", ")
        default:
            return nil
        }
    }

    /// Whether `header` (an Authorization value) proves these credentials for `method`, given
    /// the challenges we issued (server side).
    public func verifies(_ header: String, method: String, challenges: [AuthenticationChallenge]) -> Bool {
        guard let presented = AuthenticationChallenge(parsing: header) else { return false }
        switch presented.scheme {
        case "basic":
            guard challenges.contains(where: { $0.scheme == "basic" }),
                  let token = header.split(separator: " ", maxSplits: 1).last,
                  let decoded = Base64.decode(token.trimmingSpaces) else { return false }
            return String(decoding: decoded, as: UTF8.self) == "\(user):\(password)"
        case "digest":
            let p = presented.parameters
            guard let nonce = p["nonce"], let uri = p["uri"], let response = p["response"], p["username"] == user,
                  let issued = challenges.first(where: { $0.scheme == "digest" && $0.parameters["nonce"] == nonce
                      && $0.digestAlgorithm == DigestAlgorithm(name: p["algorithm"] ?? "MD5") }),
                  let algorithm = issued.digestAlgorithm else { return false }
            let ha1 = algorithm.hexHash("\(user):\(issued.realm):\(password)")
            let ha2 = algorithm.hexHash("\(method):\(uri)")
            let expected: String
            if let qop = p["qop"] {
                expected = algorithm.hexHash("\(ha1):\(nonce):\(p["nc"] ?? ""):\(p["cnonce"] ?? ""):\(qop):\(ha2)")
            } else {
                expected = algorithm.hexHash("\(ha1):\(nonce):\(ha2)")
            }
            return expected == response.lowercased()
        default:
            return false
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
