import Foundation
import Recorder
import TestSupport
import XCTest

final class LineServerTests: XCTestCase {
    var media = ""
    var control = FakeRecorderControl()

    override func setUp() {
        media = TestPaths.temporaryDirectory("cli")
        control = FakeRecorderControl()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: media)
    }

    private func startServer(_ limits: LineServer.Limits = LineServer.Limits()) throws -> LineServer {
        let dispatcher = CommandDispatcher(control: control, paths: PathPolicy(mediaDirectory: media))
        let server = LineServer(host: "127.0.0.1", port: 0, dispatcher: dispatcher, limits: limits)
        try server.start()
        XCTAssertGreaterThan(server.port, 0)
        addTeardownBlock { server.stop() }
        return server
    }

    private func status(_ line: String?) throws -> String? {
        try parseJSONObject(try XCTUnwrap(line)) ["status"] as? String
    }

    func testSeveralCommandsOnOneConnection() throws {
        let server = try startServer()
        let client = try LoopbackClient(port: server.port)
        try client.send("version\n")
        XCTAssertEqual(try status(try client.readLine()), "SUCCESS")
        try client.send("record localStreamName=video1 pathtofile=\"my rec\" type=mp4 overwrite=1\r\n")
        let record = try parseJSONObject(try XCTUnwrap(try client.readLine()))
        XCTAssertEqual(record["description"] as? String, "Recording Stream")
        XCTAssertEqual(control.recorded.first?.pathToFile, PathPolicy.normalize(media, relativeTo: "/") + "/my rec")
        // Blank lines are ignored; a bad command is answered and the connection goes on.
        try client.send("\n   \nrecord localStreamName=a pathToFile=b type=avi\n")
        let bad = try parseJSONObject(try XCTUnwrap(try client.readLine()))
        XCTAssertEqual(bad["status"] as? String, "FAIL")
        XCTAssertTrue((bad["description"] as? String ?? "").contains("invalid type 'avi'"))
        // Several commands in one write are answered in order.
        try client.send("listConfig\nremoveConfig id=1\nlistConfig\n")
        let first = try parseJSONObject(try XCTUnwrap(try client.readLine()))
        XCTAssertEqual(((first["data"] as? [String: Any])?["record"] as? [Any])?.count, 1)
        XCTAssertEqual(try status(try client.readLine()), "SUCCESS")
        let last = try parseJSONObject(try XCTUnwrap(try client.readLine()))
        XCTAssertEqual(((last["data"] as? [String: Any])?["record"] as? [Any])?.count, 0)
        // A command split over two writes.
        try client.send("vers")
        usleep(50_000)
        try client.send("ion\n")
        XCTAssertEqual(try status(try client.readLine()), "SUCCESS")
        try client.send("quit\n")
        XCTAssertNil(try client.readLine())
    }

    func testIdleClientIsDroppedWithoutHurtingOthers() throws {
        var limits = LineServer.Limits()
        limits.idleTimeout = .milliseconds(800)
        let server = try startServer(limits)
        let idle = try LoopbackClient(port: server.port)
        let start = ContinuousClock.now
        // A client that keeps talking keeps its connection, and is answered at once while the
        // idle one waits.
        let busy = try LoopbackClient(port: server.port)
        for _ in 0..<5 {
            let sent = ContinuousClock.now
            try busy.send("version\n")
            XCTAssertEqual(try status(try busy.readLine()), "SUCCESS")
            XCTAssertLessThan(ContinuousClock.now - sent, .milliseconds(400))
            usleep(250_000)
        }
        XCTAssertGreaterThan(ContinuousClock.now - start, .milliseconds(1200))

        let goodbye = try parseJSONObject(try XCTUnwrap(try idle.readLine()))
        XCTAssertTrue((goodbye["description"] as? String ?? "").contains("no command for"), "\(goodbye)")
        XCTAssertNil(try idle.readLine())
        for _ in 0..<100 where server.activeConnectionCount != 1 { usleep(10_000) }
        XCTAssertEqual(server.activeConnectionCount, 1, "the idle client's slot is free again")
    }

    func testOverlongLineIsRefusedAndServerCarriesOn() throws {
        let server = try startServer()
        let client = try LoopbackClient(port: server.port)
        try client.send("record localStreamName=a pathToFile=" + String(repeating: "x", count: 50_000) + "\n")
        let answer = try parseJSONObject(try XCTUnwrap(try client.readLine()))
        XCTAssertEqual(answer["status"] as? String, "FAIL")
        XCTAssertTrue((answer["description"] as? String ?? "").contains("line longer than 8192 bytes"))
        XCTAssertNil(try client.readLine())
        let other = try LoopbackClient(port: server.port)
        try other.send("version\n")
        XCTAssertEqual(try status(try other.readLine()), "SUCCESS")
    }

    func testInvalidUTF8IsAnsweredNotFatal() throws {
        let server = try startServer()
        let client = try LoopbackClient(port: server.port)
        try client.send([0xFF, 0xFE, 0x0A] + Array("version\n".utf8))
        XCTAssertEqual(try status(try client.readLine()), "FAIL")
        XCTAssertEqual(try status(try client.readLine()), "SUCCESS")
    }
}
