import Foundation
import Recorder
import TestSupport
import XCTest

final class HTTPServerTests: XCTestCase {
    var media = ""
    var control = FakeRecorderControl()

    override func setUp() {
        media = TestPaths.temporaryDirectory("http")
        control = FakeRecorderControl()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: media)
    }

    private func startServer(_ limits: HTTPServer.Limits = HTTPServer.Limits(),
                             onShutdown: @escaping @Sendable () -> Void = {}) throws -> HTTPServer {
        let dispatcher = CommandDispatcher(control: control, paths: PathPolicy(mediaDirectory: media), onShutdown: onShutdown)
        let server = HTTPServer(host: "127.0.0.1", port: 0, dispatcher: dispatcher, limits: limits)
        try server.start()
        XCTAssertGreaterThan(server.port, 0, "port 0 asks for a free port, and the server reports it")
        addTeardownBlock { server.stop() }
        return server
    }

    func testAnswersCommandsOverLoopback() throws {
        let server = try startServer()
        let version = try LoopbackClient.get(port: server.port, "/version")
        XCTAssertEqual(version.status, 200)
        XCTAssertTrue(version.head.contains("Content-Type: application/json"), version.head)
        XCTAssertTrue(version.head.contains("Connection: close"), version.head)
        XCTAssertTrue(version.head.contains("Content-Length: \(version.body.utf8.count)"), version.head)
        XCTAssertEqual(try parseJSONObject(version.body)["status"] as? String, "SUCCESS")

        // The EMS form: params=base64("k=v k=v").
        let params = Data("localStreamName=video1 pathtofile=rec1 type=mp4 overwrite=1".utf8).base64EncodedString()
        let record = try LoopbackClient.get(port: server.port, "/record?params=" + params)
        XCTAssertEqual(record.status, 200)
        let json = try parseJSONObject(record.body)
        XCTAssertEqual(json["status"] as? String, "SUCCESS", record.body)
        XCTAssertEqual(json["description"] as? String, "Recording Stream")
        XCTAssertEqual((json["data"] as? [String: Any])?["computedPathToFile"] as? String,
                       PathPolicy.normalize(media, relativeTo: "/") + "/rec1.mp4")

        // Plain query parameters, percent-encoded.
        let plain = try LoopbackClient.get(port: server.port, "/record?localStreamName=cam%202&pathToFile=day%201%2Frec&type=flv")
        XCTAssertEqual(try parseJSONObject(plain.body)["status"] as? String, "SUCCESS", plain.body)
        XCTAssertEqual(control.recorded.map(\.localStreamName), ["video1", "cam 2"])

        let list = try LoopbackClient.get(port: server.port, "/listConfig")
        XCTAssertEqual(((try parseJSONObject(list.body)["data"] as? [String: Any])?["record"] as? [Any])?.count, 2)

        // Command failures are EMS answers too: 200 with status FAIL.
        let bad = try LoopbackClient.get(port: server.port, "/record?params=%%%")
        XCTAssertEqual(bad.status, 200)
        XCTAssertEqual(try parseJSONObject(bad.body)["status"] as? String, "FAIL")
        let unknown = try LoopbackClient.get(port: server.port, "/launchMissiles")
        XCTAssertTrue((try parseJSONObject(unknown.body)["description"] as? String ?? "").contains("unknown command 'launchMissiles'"))
        let escape = try LoopbackClient.get(port: server.port, "/record?localStreamName=a&pathToFile=..%2F..%2Fetc%2Fx")
        XCTAssertTrue((try parseJSONObject(escape.body)["description"] as? String ?? "").contains("outside the allowed roots"))
    }

    func testMalformedRequestsGetHTTPErrors() throws {
        let server = try startServer()
        func exchange(_ raw: String) throws -> (status: Int, body: String, head: String) {
            let client = try LoopbackClient(port: server.port)
            try client.send(raw)
            return try LoopbackClient.parseResponse(try client.readToEnd())
        }
        XCTAssertEqual(try exchange("POST /version HTTP/1.1\r\nContent-Length: 0\r\n\r\n").status, 405)
        XCTAssertEqual(try exchange("HELLO\r\n\r\n").status, 400)
        XCTAssertEqual(try exchange("GET /version SPDY/3\r\n\r\n").status, 400)
        XCTAssertEqual(try exchange("GET /version HTTP/1.1\r\nno colon here\r\n\r\n").status, 400)
        let fields = String(repeating: "X-Filler: 1\r\n", count: 100)
        XCTAssertEqual(try exchange("GET /version HTTP/1.1\r\n" + fields + "\r\n").status, 431)
        XCTAssertEqual(try exchange("GET /version HTTP/1.1\r\nX-Long: " + String(repeating: "x", count: 20_000) + "\r\n\r\n").status, 431)
        // Bare LF line ends are tolerated (RFC 9112 section 2.2).
        XCTAssertEqual(try exchange("GET /version HTTP/1.0\n\n").status, 200)
    }

    func testOverlongRequestLineGets414AndServerCarriesOn() throws {
        let server = try startServer()
        let client = try LoopbackClient(port: server.port)
        // 100 KiB of target: the server answers as soon as the limit is passed and reads the
        // rest away, so the client sees the answer rather than a reset.
        try client.send("GET /record?params=" + String(repeating: "A", count: 100 * 1024) + " HTTP/1.1\r\n\r\n")
        let response = try LoopbackClient.parseResponse(try client.readToEnd())
        XCTAssertEqual(response.status, 414)
        XCTAssertTrue(response.body.contains("request line longer than 8192 bytes"), response.body)
        XCTAssertEqual(try LoopbackClient.get(port: server.port, "/version").status, 200)
    }

    func testSilentClientIsDroppedWithoutHurtingOthers() throws {
        var limits = HTTPServer.Limits()
        limits.requestTimeout = .milliseconds(600)
        let server = try startServer(limits)
        let silent = try LoopbackClient(port: server.port)
        let slow = try LoopbackClient(port: server.port)
        try slow.send("GET /vers")   // half a request, then nothing

        let start = ContinuousClock.now
        XCTAssertEqual(try LoopbackClient.get(port: server.port, "/version").status, 200)
        XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(500), "others are served while the silent client waits")

        XCTAssertEqual(try silent.readToEnd(), "", "a client that said nothing is just closed")
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - start, .milliseconds(500))
        XCTAssertEqual(try LoopbackClient.parseResponse(try slow.readToEnd()).status, 408)
        XCTAssertEqual(try LoopbackClient.get(port: server.port, "/version").status, 200)
    }

    /// A client that trickles its request a byte at a time, never silent for long (slowloris),
    /// is cut at the request deadline, not kept alive by each byte; others are served meanwhile.
    func testTricklingClientIsCutAtTheRequestDeadline() throws {
        var limits = HTTPServer.Limits()
        limits.requestTimeout = .milliseconds(800)
        let server = try startServer(limits)
        let trickler = try LoopbackClient(port: server.port)
        let start = ContinuousClock.now
        let request = Array("GET /version HTTP/1.1\r\nX-Padding: " + String(repeating: "a", count: 200) + "\r\n\r\n")
        var sent = 0
        // One byte every 50 ms: the whole request would take over 10 s.
        while sent < request.count, ContinuousClock.now - start < .seconds(5) {
            guard (try? trickler.send(String(request[sent]))) != nil else { break }
            sent += 1
            if sent == 5 {
                XCTAssertEqual(try LoopbackClient.get(port: server.port, "/version").status, 200, "others are served")
            }
            usleep(50_000)
            if sent > 40 { break }  // past the deadline by now; the answer is waiting
        }
        let response = try LoopbackClient.parseResponse(try trickler.readToEnd())
        XCTAssertEqual(response.status, 408)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(4), "cut near the deadline, not after the whole request")
        XCTAssertEqual(try LoopbackClient.get(port: server.port, "/version").status, 200)
    }

    func testConnectionsOverTheBoundAreRefused() throws {
        var limits = HTTPServer.Limits()
        limits.maxConnections = 2
        let server = try startServer(limits)
        let first = try LoopbackClient(port: server.port)
        let second = try LoopbackClient(port: server.port)
        let third = try LoopbackClient.parseResponse(try LoopbackClient(port: server.port).readToEnd())
        XCTAssertEqual(third.status, 503)
        XCTAssertTrue(third.head.contains("Retry-After: 1"))
        // Freeing a slot lets the next client in.
        try first.send("GET /version HTTP/1.1\r\n\r\n")
        XCTAssertEqual(try LoopbackClient.parseResponse(try first.readToEnd()).status, 200)
        var admitted = false
        for _ in 0..<50 where !admitted {
            admitted = (try? LoopbackClient.get(port: server.port, "/version"))?.status == 200
            if !admitted { usleep(20_000) }
        }
        XCTAssertTrue(admitted)
        _ = second
    }

    func testShutdownServerAnswersThenShutsDown() throws {
        let done = expectation(description: "shutdown")
        let server = try startServer(onShutdown: { done.fulfill() })
        let answer = try LoopbackClient.get(port: server.port, "/shutdownServer")
        XCTAssertEqual(try parseJSONObject(answer.body)["status"] as? String, "SUCCESS")
        wait(for: [done], timeout: 5)
        XCTAssertEqual(control.shutdownCalls, 1)
    }

    func testStopClosesThePort() throws {
        let dispatcher = CommandDispatcher(control: control, paths: PathPolicy(mediaDirectory: media))
        let server = HTTPServer(port: 0, dispatcher: dispatcher)
        try server.start()
        let port = server.port
        let idle = try LoopbackClient(port: port)
        // Accepted first: a connection still in the listen backlog is reset, not ended, when
        // the listener closes.
        for _ in 0..<100 where server.activeConnectionCount == 0 { usleep(10_000) }
        XCTAssertEqual(server.activeConnectionCount, 1)
        server.stop()
        XCTAssertEqual(try idle.readToEnd(), "", "open connections end")
        XCTAssertThrowsError(try LoopbackClient(port: port))
        // The port can be bound again at once.
        let again = HTTPServer(port: port, dispatcher: dispatcher)
        XCTAssertNoThrow(try again.start())
        again.stop()
        // A port in use is a clear error.
        let holder = HTTPServer(port: 0, dispatcher: dispatcher)
        try holder.start()
        XCTAssertThrowsError(try HTTPServer(port: holder.port, dispatcher: dispatcher).start()) { error in
            XCTAssertTrue("\(error)".contains("bind failed"), "\(error)")
        }
        holder.stop()
    }
}
