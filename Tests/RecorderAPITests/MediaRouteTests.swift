import Foundation
import Operations
import Recorder
import TestSupport
import XCTest

/// `GET /media`: a finished recording of the catalog, with byte ranges and HEAD, checked over
/// a raw socket; nothing outside the roots, no live chunk, staging file or folder.
final class MediaRouteTests: XCTestCase {
    var root = ""
    var media = ""

    override func setUp() {
        root = TestPaths.temporaryDirectory("media-route")
        media = root + "/media"
        try? FileManager.default.createDirectory(atPath: media + "/day", withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: root)
    }

    private func startServer() throws -> (HTTPServer, String) {
        let catalog = try RecordingCatalog(directory: root)
        let paths = PathPolicy(mediaDirectory: media)
        let recording = paths.mediaDirectory + "/day/cam 1.mp4"
        // Printable bytes, so that the body compares as text.
        let content = String((0..<3000).map { Character(UnicodeScalar(UInt8(65 + $0 % 26))) })
        try content.write(toFile: recording, atomically: true, encoding: .utf8)
        try "x".write(toFile: recording + ".mdat", atomically: true, encoding: .utf8)
        try "LIVEBYTES".write(toFile: paths.mediaDirectory + "/live.mp4", atomically: true, encoding: .utf8)
        catalog.upsert(RecordingEntry(file: recording, localStreamName: "cam1", configId: 1, startTime: 1_796_000_000, duration: 2,
                                      bytes: 3000, state: .finalized))
        catalog.upsert(RecordingEntry(file: paths.mediaDirectory + "/live.mp4", localStreamName: "cam1", configId: 1,
                                      startTime: 1_796_000_002, state: .recording))
        let dispatcher = CommandDispatcher(control: FakeRecorderControl(), paths: paths)
        let server = HTTPServer(host: "127.0.0.1", port: 0, dispatcher: dispatcher,
                                routes: RecordingRoutes(catalog: catalog, paths: paths).routes)
        try server.start()
        addTeardownBlock { server.stop() }
        return (server, content)
    }

    private func request(_ port: Int, _ method: String, _ target: String, range: String? = nil) throws -> (status: Int, body: String, head: String) {
        let client = try LoopbackClient(port: port)
        try client.send("\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (range.map { "Range: \($0)\r\n" } ?? "") + "\r\n")
        return try LoopbackClient.parseResponse(try client.readToEnd())
    }

    func testServesARecordingWithRangesAndHead() throws {
        let (server, content) = try startServer()
        let target = "/media?file=day%2Fcam%201.mp4"
        let whole = try request(server.port, "GET", target)
        XCTAssertEqual(whole.status, 200)
        XCTAssertEqual(whole.body, content)
        for field in ["Content-Type: video/mp4", "Content-Length: 3000", "Accept-Ranges: bytes", "Last-Modified: "] {
            XCTAssertTrue(whole.head.contains(field), "\(field) in\n\(whole.head)")
        }
        XCTAssertTrue(whole.head.range(of: #"Last-Modified: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT"#, options: .regularExpression) != nil,
                      whole.head)

        let head = try request(server.port, "HEAD", target)
        XCTAssertEqual(head.status, 200)
        XCTAssertTrue(head.head.contains("Content-Length: 3000"), head.head)
        XCTAssertEqual(head.body, "", "HEAD has no body")

        let absolute = try request(server.port, "GET", "/media?file=" + (media + "/day/cam 1.mp4").replacingOccurrences(of: " ", with: "%20"))
        XCTAssertEqual(absolute.status, 200, "the absolute path listRecordings gives")

        let middle = try request(server.port, "GET", target, range: "bytes=100-199")
        XCTAssertEqual(middle.status, 206)
        XCTAssertEqual(middle.body, String(content.dropFirst(100).prefix(100)))
        XCTAssertTrue(middle.head.contains("Content-Range: bytes 100-199/3000"), middle.head)
        XCTAssertTrue(middle.head.contains("Content-Length: 100"), middle.head)

        let open = try request(server.port, "GET", target, range: "bytes=2990-")
        XCTAssertEqual(open.status, 206)
        XCTAssertEqual(open.body, String(content.suffix(10)))
        let suffix = try request(server.port, "GET", target, range: "bytes=-5")
        XCTAssertEqual(suffix.body, String(content.suffix(5)))
        XCTAssertTrue(suffix.head.contains("Content-Range: bytes 2995-2999/3000"), suffix.head)
        let past = try request(server.port, "GET", target, range: "bytes=2999-5000")
        XCTAssertEqual(past.body, String(content.suffix(1)), "an end past the body is cut to it")

        let unsatisfiable = try request(server.port, "GET", target, range: "bytes=3000-")
        XCTAssertEqual(unsatisfiable.status, 416)
        XCTAssertTrue(unsatisfiable.head.contains("Content-Range: bytes */3000"), unsatisfiable.head)
    }

    func testRefusesPathsOutsideTheRootsAndFilesThatAreNotFinishedRecordings() throws {
        let (server, _) = try startServer()
        for escape in ["../../../etc/passwd", "%2Fetc%2Fpasswd", "day/..%2F..%2F..%2Fetc%2Fpasswd", ""] {
            let answer = try request(server.port, "GET", "/media?file=\(escape)")
            XCTAssertEqual(answer.status, escape.isEmpty ? 400 : 403, escape)
            XCTAssertEqual(try parseJSONObject(answer.body)["status"] as? String, "FAIL")
        }
        for notRecording in ["live.mp4", "day%2Fcam%201.mp4.mdat", "day", "day%2F", "missing.mp4"] {
            let answer = try request(server.port, "GET", "/media?file=\(notRecording)")
            XCTAssertTrue([403, 404].contains(answer.status), "\(notRecording): \(answer.status) \(answer.body)")
            XCTAssertFalse(answer.body.contains("LIVEBYTES"), "no bytes of a live chunk")
        }
        XCTAssertEqual(try request(server.port, "GET", "/media?file=").status, 400)
        XCTAssertEqual(try request(server.port, "POST", "/media?file=day%2Fcam%201.mp4").status, 405)
        XCTAssertEqual(try request(server.port, "GET", "/media/").status, 200, "no listing: a path that is no route is an EMS command name")
    }
}
