import Foundation
import MediaCore
@testable import Recorder
import TestSupport
import XCTest

/// `--event-url`: each event is POSTed as the JSON of its log line, over the recorder's own
/// HTTP client (plain HTTP); failures are `eventHookError` lines; https is refused at start.
final class EventHookTests: XCTestCase {
    func testHookPostsTheEventJSONToALoopbackServer() throws {
        let server = try LoopbackHTTPServer { _ in .init(status: 204) }
        defer { server.stop() }
        let lines = LockedLines()
        let events = EventPublisher(url: "http://127.0.0.1:\(server.port)/hook?key=k3y", log: { lines.append($0) })
        events.publish("streamCreated", ["stream": .string("cam1"), "file": .string("/media/cam1.mp4")])
        events.waitUntilIdle()

        XCTAssertEqual(lines.all.count, 1, "the event's line and no eventHookError: \(lines.all)")
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(server.requests.count, 1)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.target, "/hook?key=k3y", "the hook gets its URL as given, key included")
        XCTAssertEqual(request.fields["content-type"], "application/json")
        XCTAssertEqual(request.fields["host"], "127.0.0.1:\(server.port)")
        let posted = try XCTUnwrap(JSONReader.value(of: Array(request.body.utf8)[...], maxDepth: 8), request.body)
        XCTAssertEqual(posted, JSONReader.value(of: Array(lines.all[0].utf8)[...], maxDepth: 8), "the POST is the logged event")
        guard case .object(let object) = posted else { return XCTFail(request.body) }
        XCTAssertEqual(object["event"], .string("streamCreated"))
        XCTAssertEqual(object["stream"], .string("cam1"))
        XCTAssertEqual(object["file"], .string("/media/cam1.mp4"))
    }

    func testFailedDeliveriesAreEventHookErrorLines() throws {
        let server = try LoopbackHTTPServer { _ in .init(status: 500) }
        defer { server.stop() }
        let lines = LockedLines()
        let refusing = EventPublisher(url: "http://127.0.0.1:\(server.port)/hook", log: { lines.append($0) })
        refusing.publish("streamClosed", ["stream": .string("cam1")])
        refusing.waitUntilIdle()
        XCTAssertEqual(lines.all.last, #"{"event":"eventHookError","url":"http://127.0.0.1:\#(server.port)/hook","status":500}"#)

        let deadPort = freeTCPPort()
        let unreachable = EventPublisher(url: "http://127.0.0.1:\(deadPort)/hook?token=t0k", log: { lines.append($0) })
        unreachable.publish("streamClosed", ["stream": .string("cam1")])
        unreachable.waitUntilIdle()
        let last = try XCTUnwrap(lines.all.last)
        XCTAssertTrue(last.hasPrefix(#"{"event":"eventHookError","url":"http://127.0.0.1:\#(deadPort)/hook?token=***","error":"cannot connect"#), last)
    }

    func testHTTPSEventURLIsRefusedAtStart() {
        XCTAssertThrowsError(try ServerConfiguration.parse(arguments: ["--event-url", "https://hooks.example/recorder"], executablePath: "r")) {
            XCTAssertEqual("\($0)", "--event-url: https is not supported: the recorder posts over plain HTTP; use an http:// URL, e.g. a local relay")
        }
        XCTAssertThrowsError(try ServerConfiguration.parse(arguments: ["--event-url", "ftp://hooks.example/?key=s3cret"], executablePath: "r")) {
            XCTAssertEqual("\($0)", "--event-url: expected an http:// URL in 'ftp://hooks.example/?key=***'")
        }
        guard case .run(let config)? = try? ServerConfiguration.parse(arguments: ["--event-url", "http://127.0.0.1:9000/hook"], executablePath: "r") else {
            return XCTFail("an http:// URL is taken")
        }
        XCTAssertEqual(config.eventURL, "http://127.0.0.1:9000/hook")
    }
}
