import Foundation
import TestSupport
import XCTest

/// Operators stop a camera pull the EMS way (listPullPushConfig, shutdownStream,
/// removePullPushConfig) against the gst-rtsp-server camera stand-in: each ends the pull's
/// recording cleanly (the chunk finalized, decoding silently).
final class RTSPPullControlTests: XCTestCase {
    private func pulls(_ recorder: RecorderProcess) throws -> [[String: Any]] {
        let answer = try recorder.command("/listPullPushConfig")
        XCTAssertEqual(answer["status"] as? String, "SUCCESS", "\(answer)")
        return ((answer["data"] as? [String: Any])?["pull"] as? [[String: Any]]) ?? []
    }

    func testShutdownStreamAndRemovePullPushConfigEndThePullCleanly() throws {
        try FFmpegCheck.require()
        let camera = try RTSPCamera(arguments: ["--auth", "basic", "--user", "op", "--password", "s3cret"])
        defer { camera.stop() }
        let directory = TestPaths.temporaryDirectory("rtsp-pull-control")
        let recorder = try RecorderProcess(directory: directory)
        defer { recorder.stop() }
        XCTAssertEqual(try recorder.command("/record?localStreamName=cam&pathToFile=cam&type=mp4")["status"] as? String, "SUCCESS")
        let uri = camera.url("h264aac", user: "op", password: "s3cret").addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        XCTAssertEqual(try recorder.command("/pullStream?uri=\(uri)&localStreamName=cam&keepAlive=1")["status"] as? String, "SUCCESS")
        XCTAssertTrue(recorder.waitForLog("recordChunkCreated"), recorder.log_())
        sleep(2)

        var listed = try pulls(recorder)
        XCTAssertEqual(listed.count, 1)
        XCTAssertEqual(listed.first?["localStreamName"] as? String, "cam")
        XCTAssertEqual(listed.first?["state"] as? String, "streaming")
        XCTAssertEqual(listed.first?["keepAlive"] as? Bool, true)
        XCTAssertFalse("\(listed)".contains("s3cret"), "no password in the listing: \(listed)")
        let id = try XCTUnwrap(listed.first?["configId"] as? Int)

        // permanently=0: this connection ends (its chunk finalized), keepAlive connects again.
        let shut = try recorder.command("/shutdownStream?localStreamName=cam&permanently=0")
        XCTAssertEqual(shut["status"] as? String, "SUCCESS", "\(shut)")
        XCTAssertTrue(recorder.waitForLog("recordChunkFinalized", timeout: 10), recorder.log_())
        XCTAssertTrue(recorder.log_().contains(#""reason":"stopped""#), recorder.log_())
        XCTAssertTrue(recorder.waitForLog("recordChunkCreated", count: 2, timeout: 15), "reconnected: \(recorder.log_())")
        sleep(2)

        // removePullPushConfig by configId: the pull stops for good, its second chunk finalized.
        let removed = try recorder.command("/removePullPushConfig?id=\(id)")
        XCTAssertEqual(removed["status"] as? String, "SUCCESS", "\(removed)")
        XCTAssertTrue(recorder.waitForLog("recordChunkFinalized", count: 2, timeout: 10), recorder.log_())
        listed = try pulls(recorder)
        XCTAssertTrue(listed.isEmpty, "\(listed)")
        let streams = try recorder.command("/listStreams")["data"] as? [[String: Any]] ?? []
        XCTAssertTrue(streams.isEmpty, "\(streams)")
        XCTAssertEqual(try recorder.command("/removePullPushConfig?localStreamName=cam")["status"] as? String, "FAIL")

        // The name can be pulled again; shutdownStream (permanently=1 by default) removes it.
        XCTAssertEqual(try recorder.command("/pullStream?uri=\(uri)&localStreamName=cam")["status"] as? String, "SUCCESS")
        XCTAssertTrue(recorder.waitForLog("recordChunkCreated", count: 3), recorder.log_())
        sleep(2)
        XCTAssertEqual(try recorder.command("/shutdownStream?localStreamName=cam")["status"] as? String, "SUCCESS")
        XCTAssertTrue(recorder.waitForLog("recordChunkFinalized", count: 3, timeout: 10), recorder.log_())
        XCTAssertTrue(try pulls(recorder).isEmpty)
        let created = recorder.log_().components(separatedBy: "recordChunkCreated").count - 1
        XCTAssertEqual(created, 3, "no reconnection after a permanent shutdown")

        for file in ["cam.mp4", "cam_1.mp4", "cam_2.mp4"] {
            let path = "\(directory)/media/\(file)"
            XCTAssertEqual(try FFmpegCheck.complaints(path), "", file)
            XCTAssertEqual(try FFmpegCheck.streams(path).map(\.codec).sorted(), ["aac", "h264"], file)
            XCTAssertGreaterThan(try FFmpegCheck.streams(path).first { $0.kind == "video" }?.frames ?? 0, 25, file)
        }
    }

    func testShutdownStreamNamesWhatItCannotEnd() throws {
        let directory = TestPaths.temporaryDirectory("rtsp-pull-control-fail")
        let recorder = try RecorderProcess(directory: directory)
        defer { recorder.stop() }
        let answer = try recorder.command("/shutdownStream?localStreamName=nothing")
        XCTAssertEqual(answer["status"] as? String, "FAIL")
        XCTAssertTrue("\(answer["description"] ?? "")".contains("nothing"), "\(answer)")
        XCTAssertEqual(try recorder.command("/removePullPushConfig?id=7")["status"] as? String, "FAIL")
        XCTAssertEqual(try recorder.command("/removePullPushConfig")["status"] as? String, "FAIL")
    }
}
