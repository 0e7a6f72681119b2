import Foundation
import TestSupport
import XCTest

/// `pullStream uri=rtsp://...` against a camera stand-in nobody here wrote (gst-rtsp-server):
/// each recording decodes silently, at the camera's frame rate, with every track, and matches
/// what ffmpeg's own RTSP client records from the same mount with -c copy (codecs, size, rate).
final class RTSPPullInteropTests: XCTestCase {
    private struct Probe: Equatable {
        var codecs: [String]
        var size: String
        var frameRate: String
    }

    private func probe(_ path: String) throws -> Probe {
        let out = try ExternalTool.run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,width,height,r_frame_rate",
                                                   "-of", "compact=p=0:nk=0", path])
        var codecs: [String] = [], size = "", rate = ""
        for line in out.stdout.split(separator: "\n") {
            var fields: [String: String] = [:]
            for pair in line.split(separator: "|") {
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                if kv.count == 2 { fields[kv[0]] = kv[1] }
            }
            codecs.append(fields["codec_name"] ?? "?")
            if let w = fields["width"], let h = fields["height"] {
                size = "\(w)x\(h)"
                rate = fields["r_frame_rate"] ?? ""
            }
        }
        return Probe(codecs: codecs.sorted(), size: size, frameRate: rate)
    }

    /// ffmpeg's RTSP client recording `seconds` of `url` with -c copy.
    private func ffmpegReference(_ url: String, _ output: String, seconds: Int = 3) throws {
        let out = try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-rtsp_transport", "tcp", "-i", url, "-t", "\(seconds)",
                                                  "-c", "copy", "-y", output])
        XCTAssertEqual(out.status, 0, "ffmpeg reference recording of \(url): \(out.stderr)")
    }

    private func recordPulls(_ pulls: [(name: String, uri: String, extra: String)], seconds: Double) throws -> (RecorderProcess, String) {
        let directory = TestPaths.temporaryDirectory("rtsp-pull")
        let recorder = try RecorderProcess(directory: directory)
        for pull in pulls {
            XCTAssertEqual(try recorder.command("/record?localStreamName=\(pull.name)&pathToFile=\(pull.name)&type=mp4")["status"] as? String, "SUCCESS")
            let answer = try recorder.command("/pullStream?uri=\(pull.uri)&localStreamName=\(pull.name)\(pull.extra)")
            XCTAssertEqual(answer["status"] as? String, "SUCCESS", "\(answer)")
        }
        XCTAssertTrue(recorder.waitForLog("recordChunkCreated", count: pulls.count, timeout: 20), recorder.log_())
        usleep(useconds_t(seconds * 1_000_000))
        recorder.stop()
        return (recorder, directory)
    }

    func testPullsEachCameraMountLikeFFmpegDoes() throws {
        try FFmpegCheck.require()
        let camera = try RTSPCamera()
        defer { camera.stop() }
        let mounts = ["h264aac", "h264", "h265", "h264latm", "h264pcmu"]
        let (recorder, directory) = try recordPulls(mounts.map { ($0, camera.url($0), "&keepAlive=0") }, seconds: 4)
        for mount in mounts {
            let path = "\(directory)/media/\(mount).mp4"
            XCTAssertTrue(FileManager.default.fileExists(atPath: path), "\(mount): \(recorder.log_())")
            XCTAssertEqual(try FFmpegCheck.complaints(path), "", "\(mount) decodes silently")
            let reference = "\(directory)/ffmpeg_\(mount).mkv"
            try ffmpegReference(camera.url(mount), reference)
            XCTAssertEqual(try probe(path), try probe(reference), mount)
            XCTAssertEqual(try probe(path).frameRate, "25/1", mount)
            let video = try FFmpegCheck.streams(path).first { $0.kind == "video" }
            XCTAssertGreaterThan(video?.frames ?? 0, 75, "\(mount): about 4 s at 25 fps")
            if let video { XCTAssertEqual(Double(video.frames) / video.duration, 25, accuracy: 0.5, mount) }
        }
        XCTAssertFalse(recorder.log_().contains("recordChunkError"), recorder.log_())
    }

    /// forceTcp=0: RTP over UDP. The camera then disappears mid-recording (its chunk closes
    /// cleanly) and comes back on the same port: keepAlive reconnects and records a new chunk.
    func testUDPPullSurvivesTheCameraGoingAndComingBack() throws {
        try FFmpegCheck.require()
        var camera = try RTSPCamera()
        let port = camera.port
        let directory = TestPaths.temporaryDirectory("rtsp-reconnect")
        let recorder = try RecorderProcess(directory: directory)
        defer { recorder.stop() }
        XCTAssertEqual(try recorder.command("/record?localStreamName=cam&pathToFile=cam&type=mp4")["status"] as? String, "SUCCESS")
        XCTAssertEqual(try recorder.command("/pullStream?uri=\(camera.url("h264aac"))&localStreamName=cam&forceTcp=0&keepAlive=1")["status"] as? String, "SUCCESS")
        XCTAssertTrue(recorder.waitForLog("recordChunkCreated"), recorder.log_())
        XCTAssertTrue(recorder.log_().contains(#""transport":"udp""#), recorder.log_())
        sleep(3)
        camera.stop()
        XCTAssertTrue(recorder.waitForLog("recordChunkFinalized"), recorder.log_())
        camera = try RTSPCamera(arguments: ["--port", "\(port)"])
        defer { camera.stop() }
        XCTAssertTrue(recorder.waitForLog("recordChunkCreated", count: 2, timeout: 30), recorder.log_())
        sleep(3)
        recorder.stop()
        for file in ["cam.mp4", "cam_1.mp4"] {
            let path = "\(directory)/media/\(file)"
            XCTAssertEqual(try FFmpegCheck.complaints(path), "", file)
            XCTAssertEqual(try probe(path).codecs, ["aac", "h264"], file)
            XCTAssertGreaterThan(try FFmpegCheck.streams(path).first { $0.kind == "video" }?.frames ?? 0, 50, file)
        }
    }

    /// kill -9 of the recorder while it records a camera: the next start recovers the chunk
    /// (startup recovery), which decodes silently up to about the kill.
    func testKillDuringACameraRecordingIsRecovered() throws {
        try FFmpegCheck.require()
        let camera = try RTSPCamera()
        defer { camera.stop() }
        let directory = TestPaths.temporaryDirectory("rtsp-kill")
        let recorder = try RecorderProcess(directory: directory)
        XCTAssertEqual(try recorder.command("/record?localStreamName=cam&pathToFile=cam&type=mp4")["status"] as? String, "SUCCESS")
        XCTAssertEqual(try recorder.command("/pullStream?uri=\(camera.url("h264aac"))&localStreamName=cam")["status"] as? String, "SUCCESS")
        XCTAssertTrue(recorder.waitForLog("recordChunkCreated"), recorder.log_())
        sleep(3)
        recorder.kill9()
        let restarted = try RecorderProcess(directory: directory)
        restarted.stop()
        let path = "\(directory)/media/cam.mp4"
        XCTAssertEqual(try FFmpegCheck.complaints(path), "", restarted.log_())
        XCTAssertEqual(try probe(path).codecs, ["aac", "h264"])
        XCTAssertGreaterThan(try FFmpegCheck.streams(path).first { $0.kind == "video" }?.frames ?? 0, 50, "about 3 s kept")
    }

    func testPullWithDigestAndBasicCredentials() throws {
        try FFmpegCheck.require()
        for auth in ["digest", "basic"] {
            let camera = try RTSPCamera(arguments: ["--auth", auth, "--user", "adm@in", "--password", "p:w d"])
            defer { camera.stop() }
            let good = camera.url("h264aac", user: "adm%40in", password: "p%3Aw%20d")
            let (recorder, directory) = try recordPulls([("cam_\(auth)", good.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!, "&keepAlive=0")], seconds: 2)
            let path = "\(directory)/media/cam_\(auth).mp4"
            XCTAssertEqual(try FFmpegCheck.complaints(path), "", "\(auth): \(recorder.log_())")
            XCTAssertEqual(try probe(path).codecs, ["aac", "h264"])
            XCTAssertFalse(recorder.log_().contains("p:w d") || recorder.log_().contains("p%3Aw"), "no password in the log")
        }
    }
}
