import Foundation
import TestSupport
import XCTest

/// The publish rules on the RTSP push server, with ffmpeg as the publisher: a record config's
/// publishKey is the password of `rtsp://user:KEY@host/app/name` (Digest, any user name);
/// without it or with a wrong one ffmpeg fails and nothing is recorded, with it the recording
/// holds the source's frames; an address rule refuses with 403.
final class RTSPPublishAuthorizationTests: XCTestCase {
    private func videoHashes(_ path: String) throws -> [String] {
        try FFmpegCheck.frameHashes(path, stream: "v").map { String($0.split(separator: ",").last ?? "") }
    }

    private func push(_ url: String, realtime: Bool = false) throws -> ExternalTool.Output {
        try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error"] + (realtime ? ["-re"] : []) +
                             ["-i", TestPaths.fixture("mp4/h264_aac.mp4"), "-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", url])
    }

    func testRecordConfigKeyIsTheRTSPPassword() throws {
        try FFmpegCheck.require()
        let directory = TestPaths.temporaryDirectory("rtsp-key")
        let recorder = try RecorderProcess(directory: directory)
        defer { recorder.stop() }
        XCTAssertEqual(try recorder.command("/record?localStreamName=keyed&pathToFile=keyed&type=mp4&publishKey=R7spK3y")["status"] as? String, "SUCCESS")
        let base = "127.0.0.1:\(recorder.rtspPort)/live/keyed"
        XCTAssertNotEqual(try push("rtsp://\(base)").status, 0, "no key: refused")
        XCTAssertNotEqual(try push("rtsp://cam:Wr0ngK3y@\(base)").status, 0, "wrong key: refused")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(directory)/media/keyed.mp4"), "nothing recorded")
        let out = try push("rtsp://cam:R7spK3y@\(base)", realtime: true)
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(recorder.waitForLog("recordChunkFinalized", timeout: 30), recorder.log_())
        XCTAssertEqual(try videoHashes("\(directory)/media/keyed.mp4"), try videoHashes(TestPaths.fixture("mp4/h264_aac.mp4")))
        let log = recorder.log_()
        XCTAssertTrue(log.contains(#""protocol":"rtsp""#) && log.contains(#""reason":"keyWrong""#), log)
        XCTAssertFalse(log.contains("R7spK3y") || log.contains("Wr0ngK3y"), "keys are never logged")
    }

    func testAddressRuleRefusesRTSPPublishers() throws {
        try FFmpegCheck.require()
        let directory = TestPaths.temporaryDirectory("rtsp-cidr")
        let recorder = try RecorderProcess(directory: directory, extraArguments: ["--deny-publish", "127.0.0.0/8"])
        defer { recorder.stop() }
        XCTAssertEqual(try recorder.command("/record?localStreamName=denied&pathToFile=denied&type=mp4")["status"] as? String, "SUCCESS")
        let out = try push("rtsp://127.0.0.1:\(recorder.rtspPort)/live/denied")
        XCTAssertNotEqual(out.status, 0)
        XCTAssertTrue(recorder.waitForLog(#""reason":"addressDenied""#), recorder.log_())
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(directory)/media/denied.mp4"))
    }
}
