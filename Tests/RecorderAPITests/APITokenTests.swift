import Foundation
import Recorder
import TestSupport
import XCTest

/// `--api-token`: without it every route (commands, pages, console, media, export, unknown
/// paths) answers 401; a bearer header or the login form's cookie lets a request through;
/// requests another site started are refused; an API beyond loopback needs a token.
final class APITokenTests: XCTestCase {
    private let token = "s3cret-Token-0123456789"
    private let routes = ["/", "/console.js", "/console.css", "/version", "/listStreams", "/storageInfo", "/metrics",
                          "/media?file=cam1_part0000.mp4", "/export?localStreamName=cam1&start=1&end=2", "/nothing-here",
                          "/shutdownServer"]

    private func startServer() throws -> HTTPServer {
        let dispatcher = CommandDispatcher(control: FakeRecorderControl(), paths: PathPolicy(mediaDirectory: TestPaths.temporaryDirectory("token")))
        var resources = ConsoleResources.resources
        resources["/metrics"] = { HTTPServer.Resource(contentType: "text/plain", body: "up 1\n") }
        let server = HTTPServer(host: "127.0.0.1", port: 0, dispatcher: dispatcher, resources: resources, token: try APIToken(token))
        try server.start()
        addTeardownBlock { server.stop() }
        return server
    }

    private func exchange(_ server: HTTPServer, _ raw: String) throws -> (status: Int, body: String, head: String) {
        let client = try LoopbackClient(port: server.port)
        try client.send(raw)
        return try LoopbackClient.parseResponse(try client.readToEnd())
    }

    private func get(_ server: HTTPServer, _ target: String, _ fields: String = "") throws -> (status: Int, body: String, head: String) {
        try exchange(server, "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(fields)\r\n")
    }

    func testEveryRouteNeedsTheToken() throws {
        let server = try startServer()
        for route in routes {
            for fields in ["", "Authorization: Bearer wrong-token-0123456789\r\n", "Authorization: Basic \(Data(token.utf8).base64EncodedString())\r\n",
                           "Cookie: recorder_token=\(token)x\r\n", "Authorization: Bearer \(token.dropLast())\r\n"] {
                let answer = try get(server, route, fields)
                XCTAssertEqual(answer.status, 401, "\(route) with '\(fields)'")
                XCTAssertTrue(answer.head.contains("WWW-Authenticate: Bearer realm=\"recorder\""), answer.head)
                XCTAssertFalse(answer.body.contains(token), "a refusal never shows the token")
            }
            XCTAssertEqual(try exchange(server, "HEAD \(route) HTTP/1.1\r\n\r\n").status, 401, "HEAD \(route)")
        }
        // A browser gets the login form, a program JSON.
        let page = try get(server, "/", "Accept: text/html,application/xhtml+xml\r\n")
        XCTAssertEqual(page.status, 401)
        XCTAssertTrue(page.head.contains("Content-Type: text/html"), page.head)
        XCTAssertTrue(page.body.contains("<form method=\"post\" action=\"/login\">"), page.body)
        XCTAssertEqual(try parseJSONObject(try get(server, "/version").body)["status"] as? String, "FAIL")
    }

    func testBearerAndCookieLetRequestsThrough() throws {
        let server = try startServer()
        for fields in ["Authorization: Bearer \(token)\r\n", "authorization: bearer \(token)\r\n",
                       "Cookie: theme=dark; recorder_token=\(token); other=1\r\n"] {
            let version = try get(server, "/version", fields)
            XCTAssertEqual(version.status, 200, fields)
            XCTAssertEqual(try parseJSONObject(version.body)["status"] as? String, "SUCCESS")
            let page = try get(server, "/", fields)
            XCTAssertEqual(page.status, 200)
            XCTAssertTrue(page.body.contains("<script src=\"/console.js\""), page.body)
            XCTAssertTrue(page.head.contains("Content-Security-Policy: default-src 'none'; script-src 'self'"), page.head)
            XCTAssertEqual(try get(server, "/console.js", fields).status, 200)
            XCTAssertEqual(try get(server, "/metrics", fields).body, "up 1\n")
        }
    }

    func testTheLoginFormSetsAnHttpOnlyStrictCookie() throws {
        let server = try startServer()
        func login(_ form: String) throws -> (status: Int, body: String, head: String) {
            try exchange(server, "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\n\r\n\(form)")
        }
        let ok = try login("token=" + token.replacingOccurrences(of: "-", with: "%2D"))
        XCTAssertEqual(ok.status, 303, ok.head)
        XCTAssertTrue(ok.head.contains("Location: /"), ok.head)
        XCTAssertTrue(ok.head.contains("Set-Cookie: recorder_token=\(token); Path=/; HttpOnly; SameSite=Strict"), ok.head)
        let wrong = try login("token=guess-guess-guess-guess")
        XCTAssertEqual(wrong.status, 401)
        XCTAssertFalse(wrong.head.contains("Set-Cookie"), wrong.head)
        XCTAssertTrue(wrong.body.contains("That is not the token."), wrong.body)
        XCTAssertEqual(try exchange(server, "POST /login HTTP/1.1\r\nContent-Length: 100000\r\n\r\n").status, 413)
        XCTAssertEqual(try exchange(server, "POST /login HTTP/1.1\r\n\r\n").status, 411)
        XCTAssertEqual(try exchange(server, "POST /version HTTP/1.1\r\nContent-Length: 0\r\n\r\n").status, 401, "the token comes before the method")
        XCTAssertEqual(try exchange(server, "POST /version HTTP/1.1\r\nAuthorization: Bearer \(token)\r\nContent-Length: 0\r\n\r\n").status, 405)
        let logout = try get(server, "/logout")
        XCTAssertEqual(logout.status, 303)
        XCTAssertTrue(logout.head.contains("Set-Cookie: recorder_token=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"), logout.head)
    }

    func testRequestsAnotherSiteStartedAreRefused() throws {
        let server = try startServer()
        for site in ["cross-site", "same-site"] {
            let answer = try get(server, "/shutdownServer", "Authorization: Bearer \(token)\r\nSec-Fetch-Site: \(site)\r\n")
            XCTAssertEqual(answer.status, 403, site)
        }
        XCTAssertEqual(try get(server, "/version", "Cookie: recorder_token=\(token)\r\nSec-Fetch-Site: same-origin\r\n").status, 200)
    }

    func testTokensAreCheckedAndNeverPrinted() throws {
        for bad in ["short", String(repeating: "a", count: 257), "has space inside it 0123", "semi;colon-0123456789", "quote\"0123456789abcdef"] {
            XCTAssertThrowsError(try APIToken(bad)) { error in
                XCTAssertFalse("\(error)".contains(bad), "the error does not repeat the token")
            }
        }
        guard case .run(let c) = try ServerConfiguration.parse(arguments: ["--config", "f"], executablePath: "/opt/recorder",
                                                               readFile: { _ in "api-token = \(self.token)\nhttp-host=0.0.0.0\n" }) else { return XCTFail() }
        XCTAssertEqual(c.apiToken, try APIToken(token))
        XCTAssertFalse("\(c)".contains(token), "a printed configuration hides the token")
    }

    func testAnAPIBeyondLoopbackNeedsAToken() throws {
        for host in ["127.0.0.1", "127.3.2.1", "localhost", "::1", "[::1]"] { XCTAssertTrue(ServerConfiguration.isLoopback(host), host) }
        for host in ["0.0.0.0", "::", "10.0.0.5", "192.168.1.2", "example.com"] { XCTAssertFalse(ServerConfiguration.isLoopback(host), host) }
        XCTAssertThrowsError(try ServerConfiguration.parse(arguments: ["--http-host", "0.0.0.0"], executablePath: "/x")) { error in
            XCTAssertTrue("\(error)".contains("no --api-token is set"), "\(error)")
        }
        XCTAssertNoThrow(try ServerConfiguration.parse(arguments: ["--http-host", "0.0.0.0", "--api-token", token], executablePath: "/x"))
        XCTAssertThrowsError(try ServerConfiguration.parse(arguments: ["--cli-host", "0.0.0.0", "--api-token", token], executablePath: "/x"))
        XCTAssertTrue(ServerConfiguration.helpText.contains("--api-token TOKEN"))
    }

    func testStorageInfoIsACommand() throws {
        XCTAssertEqual(try CommandParser.parse(line: "storageInfo"), .storageInfo)
        XCTAssertEqual(try CommandParser.parse(httpTarget: "/storageinfo"), .storageInfo)
        XCTAssertThrowsError(try CommandParser.parse(line: "storageInfo root=/"))
    }
}
