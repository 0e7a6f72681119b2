import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The console as an operator meets it, checked by programs nobody here wrote: headless
/// Chromium (Debian's, driven over its DevTools pipe by scripts/console-browser.py) logs in
/// through the form, finds the recorded stream and its recordings in the rendered page, plays
/// one in the page's <video>, seeks to the middle and keeps playing, and the same for an export
/// of a range across a chunk boundary picked in the page's form; records and stops a config
/// through the page (with its confirmations); curl finds every route
/// closed without the token and open with it.
final class ConsoleBrowserTests: XCTestCase {
    private let token = "console-test-token-0123456789"

    func testTheConsoleNeedsTheTokenShowsTheRecordingsAndPlaysThem() throws {
        try ExternalTool.require(["ffmpeg", "chromium", "python3", "curl"], install: "apt-get install ffmpeg chromium curl (.ci/run)")
        let directory = TestPaths.temporaryDirectory("console")
        let server = try RecorderProcess(directory: directory, extraArguments: ["--api-token", token])
        defer {
            // shutdownServer needs the token too: SIGTERM stops the recorder the same way.
            kill(server.process.processIdentifier, SIGTERM)
            server.process.waitUntilExit()
        }
        let base = "http://127.0.0.1:\(server.httpPort)"

        XCTAssertTrue(try curl(base + "/record?localStreamName=cam1&pathToFile=cam1&type=mp4&chunkLength=4", bearer: true).body.contains("\"SUCCESS\""))
        let publisher = try OperationsSupport.publish(port: server.rtmpPort, name: "cam1", seconds: 9)
        publisher.waitUntilExit()
        XCTAssertEqual(publisher.terminationStatus, 0, "ffmpeg published")
        var finished: [[String: Any]] = []
        XCTAssertTrue(OperationsSupport.waitUntil(timeout: 30) {
            let answer = (try? curl(base + "/listRecordings?localStreamName=cam1&state=finalized", bearer: true).body) ?? ""
            finished = ((try? JSONSerialization.jsonObject(with: Data(answer.utf8))) as? [String: Any])?["data"] as? [[String: Any]] ?? []
            return finished.count >= 2
        }, "the chunks were finalized: \(server.log_().suffix(2000))")
        let file = try XCTUnwrap(finished.first?["file"] as? String)
        let media = "/media?file=" + (file.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? file)

        // Without the token every route is refused; with the bearer header or the cookie it answers.
        for route in ["/", "/console.js", "/console.css", "/version", "/listStreams", "/listRecordings", "/storageInfo",
                      "/metrics", "/health", media, "/export?localStreamName=cam1&start=0&end=1", "/shutdownServer"] {
            XCTAssertEqual(try curl(base + route, bearer: false).status, 401, route)
            XCTAssertEqual(try curl(base + route, bearer: false, extra: ["-H", "Authorization: Bearer not-the-token-0123456789"]).status, 401, route)
        }
        for route in ["/", "/console.js", "/version", "/storageInfo", "/metrics", media] {
            XCTAssertEqual(try curl(base + route, bearer: true).status, 200, route)
            XCTAssertEqual(try curl(base + route, bearer: false, extra: ["-b", "recorder_token=\(token)"]).status, 200, route)
        }
        let storage = try curl(base + "/storageInfo", bearer: true).body
        XCTAssertTrue(storage.contains("\"usedBytes\""), storage)
        XCTAssertFalse(server.log_().contains(token), "the token is never logged")

        // An export across the first chunk boundary (chunks of 4 s): from 1 s into the first
        // recording to 6 s after that.
        let exportStart = Int((finished.first?["startTime"] as? Double ?? 0).rounded(.down)) + 1
        let exportRange = "localStreamName=cam1&start=\(exportStart)&end=\(exportStart + 6)"
        XCTAssertEqual(try curl(base + "/export?" + exportRange, bearer: false).status, 401)
        XCTAssertEqual(try curl(base + "/export?" + exportRange, bearer: true).status, 200)

        let screenshot = ProcessInfo.processInfo.environment["RECORDER_CONSOLE_SCREENSHOT"]
        let run = try ExternalTool.run("python3", [TestPaths.repositoryRoot.appendingPathComponent("scripts/console-browser.py").path,
                                                   "--url", base, "--stream", "cam1", "--token", token, "--actions",
                                                   "--export", String(exportStart), String(exportStart + 6)]
                                                  + (screenshot.map { ["--screenshot", $0] } ?? []))
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: run.stdoutData) as? [String: Any], run.stdout + run.stderr)
        XCTAssertEqual(run.status, 0, run.stdout)
        XCTAssertEqual(report["loginStatus"] as? Int, 401, "the console without the token is the login form")
        XCTAssertEqual(report["consoleStatus"] as? Int, 200, "the form's cookie opens it")
        XCTAssertEqual(report["cookieVisibleToScript"] as? Bool, false, "the cookie is HttpOnly")
        XCTAssertEqual(report["pageErrors"] as? [String], [], "no script errors")
        let rows = report["recordings"] as? [[String: Any]] ?? []
        let shown = Set(rows.map { $0["file"] as? String ?? "" })
        for entry in finished { XCTAssertTrue(shown.contains(entry["file"] as? String ?? ""), "\(entry) is on the page: \(rows)") }
        XCTAssertTrue(rows.contains { ($0["text"] as? String ?? "").contains("h264 640x360") }, "\(rows)")
        XCTAssertTrue((report["storage"] as? [String] ?? []).contains { $0.contains(directory) || $0.contains("media") }, "\(report)")
        XCTAssertTrue((report["configs"] as? [String] ?? []).contains { $0.contains("cam1") }, "\(report)")
        let actions = report["actions"] as? [String: Any] ?? [:]
        XCTAssertEqual(actions["asked"] as? [String], ["Record stream \"console-check\" to console-check (mp4)?",
                                                       "Record stream \"console-check\" to console-check (mp4)?",
                                                       "Stop recording \"console-check\" (config 2)? The open file is closed and kept."], "\(actions)")
        XCTAssertEqual(actions["afterDecline"] as? Int, 0, "a declined record changes nothing: \(actions)")
        XCTAssertEqual(actions["afterAccept"] as? Int, 1, "a confirmed record adds the config: \(actions)")
        XCTAssertEqual(actions["afterStop"] as? Int, 0, "a confirmed stop removes it: \(actions)")
        XCTAssertFalse(try curl(base + "/listConfig", bearer: true).body.contains("console-check"), "the API agrees")
        assertKeepsPlaying(report["recordingPlayback"], what: "the recording", width: 640)
        assertKeepsPlaying(report["exportPlayback"], what: "the export", width: 640)
        let exported = (report["exportPlayback"] as? [String: Any])?["start"] as? [String: Any] ?? [:]
        XCTAssertTrue((exported["src"] as? String ?? "").contains("/export?" + exportRange), "the page's export form asked for the range: \(exported)")
        XCTAssertEqual(exported["duration"] as? Double ?? 0, 6, accuracy: 1.1, "the export spans the range: \(exported)")
    }

    /// The player started, seeked to the middle, and went on from there without an error.
    private func assertKeepsPlaying(_ value: Any?, what: String, width: Int, file: StaticString = #filePath, line: UInt = #line) {
        let playback = value as? [String: Any] ?? [:]
        let start = playback["start"] as? [String: Any] ?? [:]
        XCTAssertTrue(start["error"] is NSNull, "\(what) plays: \(playback)", file: file, line: line)
        XCTAssertEqual(start["width"] as? Int, width, "\(what): \(playback)", file: file, line: line)
        guard let middle = playback["middle"] as? Double, let afterSeek = playback["afterSeek"] as? [String: Any],
              let later = playback["later"] as? [String: Any] else {
            return XCTFail("\(what) did not get to the seek: \(playback)", file: file, line: line)
        }
        let seeked = afterSeek["currentTime"] as? Double ?? 0, ended = later["currentTime"] as? Double ?? 0
        XCTAssertGreaterThanOrEqual(seeked, middle - 0.1, "\(what) seeked to the middle: \(playback)", file: file, line: line)
        XCTAssertGreaterThan(ended, seeked + 0.5, "\(what) kept playing after the seek: \(playback)", file: file, line: line)
        XCTAssertTrue(later["error"] is NSNull, "\(what): \(playback)", file: file, line: line)
        XCTAssertEqual(later["paused"] as? Bool, false, "\(what): \(playback)", file: file, line: line)
    }

    /// curl's status and body; `bearer` sends the token as `Authorization: Bearer`.
    private func curl(_ url: String, bearer: Bool, extra: [String] = []) throws -> (status: Int, body: String) {
        let output = try ExternalTool.run("curl", ["-s", "-o", "-", "-w", "\n%{http_code}", "--max-time", "10"]
                                                   + (bearer ? ["-H", "Authorization: Bearer \(token)"] : []) + extra + [url])
        let status = Int(output.stdout.split(separator: "\n").last ?? "") ?? 0
        return (status, String(output.stdout.dropLast(String(status).count + 1)))
    }
}
