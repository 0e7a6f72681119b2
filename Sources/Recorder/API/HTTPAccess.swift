/// The access step every HTTP request passes before it is answered (docs/security.md): the
/// API token when one is set, the console's login form, and no requests that another site
/// started in a browser. One step, ahead of every route, so that no route can forget it.
struct HTTPAccess: Sendable {
    /// The login form's target (`POST`, `token=...` form-encoded) and the logout link.
    static let loginPath = "/login"
    static let logoutPath = "/logout"
    /// The form holds one field of at most `APIToken.maximumLength` bytes, percent-encoded.
    static let maxLoginFormBytes = 4 * 1024

    let token: APIToken?

    enum Decision: Equatable {
        case proceed
        /// Answer this and close.
        case respond([UInt8])
        /// A login: read the form body (`contentLength` bytes) and answer `loginResponse`.
        case readLoginForm(contentLength: Int)
    }

    func decide(_ head: HTTPRequestHead, path: String) -> Decision {
        // Fetch metadata (sent by current browsers on every request): a page of another site
        // may not make this browser record, delete or play anything here, with or without a
        // token (a loopback API without one is reachable from any page the browser shows).
        if let site = head.field("sec-fetch-site"), site == "cross-site" || site == "same-site" {
            return .respond(HTTPStatus.forbidden.response(
                body: CommandAnswer.fail("refused: a request started by another site (Sec-Fetch-Site: \(site))").text))
        }
        guard let token else { return path == Self.loginPath || path == Self.logoutPath ? .respond(Self.home) : .proceed }
        switch (head.method, path) {
        case ("POST", Self.loginPath):
            guard let length = head.field("content-length").flatMap({ Int($0) }), length >= 0 else {
                return .respond(HTTPStatus.lengthRequired.response(body: CommandAnswer.fail("login: Content-Length required").text))
            }
            guard length <= Self.maxLoginFormBytes else {
                return .respond(HTTPStatus.contentTooLarge.response(body: CommandAnswer.fail("login: form longer than \(Self.maxLoginFormBytes) bytes").text))
            }
            return .readLoginForm(contentLength: length)
        case (_, Self.logoutPath):
            return .respond(HTTPStatus.seeOther.response(body: "", contentType: "text/plain",
                                                         extraFields: [("Location", "/"), ("Set-Cookie", APIToken.logoutCookie)]))
        default:
            return token.isCarried(by: head) ? .proceed : .respond(Self.unauthorized(head, message: nil))
        }
    }

    /// The answer to a login form: to the console with the cookie when the token is right,
    /// the form again (401) when not.
    func loginResponse(form: [UInt8], head: HTTPRequestHead) -> [UInt8] {
        guard let token else { return Self.home }
        let presented = String(decoding: form, as: UTF8.self).split(separator: "&")
            .first { $0.hasPrefix("token=") }
            .flatMap { try? CommandParser.percentDecode($0.dropFirst("token=".count).replacingOccurrences(of: "+", with: " ")) }
        guard let presented, token.matches(presented) else {
            return Self.unauthorized(head, message: "That is not the token.")
        }
        return HTTPStatus.seeOther.response(body: "", contentType: "text/plain",
                                            extraFields: [("Location", "/"), ("Set-Cookie", token.loginCookie)])
    }

    /// 401: a browser gets the login form, a program the JSON answer.
    private static func unauthorized(_ head: HTTPRequestHead, message: String?) -> [UInt8] {
        let challenge = ("WWW-Authenticate", "Bearer realm=\"recorder\"")
        if head.method != "HEAD", head.field("accept")?.contains("text/html") == true {
            return HTTPStatus.unauthorized.response(body: LoginPage.html(message: message), contentType: "text/html; charset=utf-8",
                                                    extraFields: [challenge] + LoginPage.headerFields)
        }
        return HTTPStatus.unauthorized.response(
            body: CommandAnswer.fail("unauthorized: this server needs its API token (Authorization: Bearer TOKEN, or the console's login at /)").text,
            extraFields: [challenge])
    }

    private static let home = HTTPStatus.seeOther.response(body: "", contentType: "text/plain", extraFields: [("Location", "/")])
}

extension HTTPRequestHead {
    /// The value of the first field named `name` (lower case).
    func field(_ name: String) -> String? { fields.first { $0.name == name }?.value }
}
