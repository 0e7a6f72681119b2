import Foundation
import TestSupport
import XCTest

/// The recorder pulls a scripted camera (TestSupport's FaultyRTSPCamera) that behaves as real
/// cameras do at their worst; each recording still decodes to exactly the source's frames.
final class FaultyCameraTests: XCTestCase {
    func testQuirkyCamerasRecordTheSourceFrames() throws {
        try FFmpegCheck.require()
        let source = TestPaths.fixture("mp4/h264_only.mp4")
        var scenarios: [(String, FaultyRTSPCamera.Quirks)] = [("plain", .init())]
        var q = FaultyRTSPCamera.Quirks()
        q.parameterSets = .missing
        q.singleFragmentFUA = true
        q.noMarkerBit = true
        q.channelBase = 6
        q.wrongCSeq = true
        q.junk = true
        q.base = .contentBaseNoSlash
        q.firstTimestamp = UInt32.max - 45_000  // wraps half a second in
        scenarios.append(("fua_nomarker_wrap", q))
        q = FaultyRTSPCamera.Quirks()
        q.parameterSets = .annexB
        q.digestUser = "admin"
        q.digestPassword = "pa ss"
        q.base = .contentLocation
        q.pcmuFirst = true
        q.timestampJumpAtKeyframe = 1
        q.sessionTimeout = 20
        scenarios.append(("digest_pcmu_jump", q))
        q = FaultyRTSPCamera.Quirks()
        q.parameterSets = .wrong
        q.base = .absoluteControls
        scenarios.append(("wrong_sprop_absolute", q))
        q = FaultyRTSPCamera.Quirks()
        q.parameterSets = .empty
        scenarios.append(("empty_sprop", q))

        let directory = TestPaths.temporaryDirectory("rtsp-faulty")
        let recorder = try RecorderProcess(directory: directory)
        defer { recorder.stop() }
        var cameras: [FaultyRTSPCamera] = []
        defer { cameras.forEach { $0.stop() } }
        for (name, quirks) in scenarios {
            let camera = try FaultyRTSPCamera(fixture: source, quirks: quirks)
            cameras.append(camera)
            let url = quirks.digestUser.map { camera.url.replacingOccurrences(of: "rtsp://", with: "rtsp://\($0):pa%2520ss@") } ?? camera.url
            XCTAssertEqual(try recorder.command("/record?localStreamName=\(name)&pathToFile=\(name)&type=mp4")["status"] as? String, "SUCCESS")
            XCTAssertEqual(try recorder.command("/pullStream?uri=\(url)&localStreamName=\(name)&keepAlive=0")["status"] as? String, "SUCCESS")
        }
        XCTAssertTrue(recorder.waitForLog("recordChunkFinalized", count: scenarios.count, timeout: 40), recorder.log_())
        let expected = try FFmpegCheck.frameHashes(source, stream: "v").map { $0.split(separator: ",").last.map(String.init) ?? "" }
        for (name, _) in scenarios {
            let path = "\(directory)/media/\(name).mp4"
            XCTAssertEqual(try FFmpegCheck.complaints(path), "", name)
            let hashes = try FFmpegCheck.frameHashes(path, stream: "v").map { $0.split(separator: ",").last.map(String.init) ?? "" }
            XCTAssertEqual(hashes, expected, "\(name): the source's frames, in order")
        }
        XCTAssertEqual(try FFmpegCheck.streams("\(directory)/media/digest_pcmu_jump.mp4").map(\.codec).sorted(), ["h264", "pcm_mulaw"],
                       "PT 0 without rtpmap is G.711 mu-law, recorded")
        // The camera's clock jumps an hour at its second keyframe: closed like every ingest's
        // jumps (one frame after the last, a timestampDiscontinuity event), not an hour of gap.
        let jumps = recorder.log_().split(separator: "\n").filter { $0.contains("timestampDiscontinuity") && $0.contains("digest_pcmu_jump") }
        XCTAssertEqual(jumps.count, 1, recorder.log_())
        XCTAssertTrue(jumps.first?.contains(#""cause":"forward""#) ?? false, "\(jumps)")
        let jumped = try XCTUnwrap(FFmpegCheck.streams("\(directory)/media/digest_pcmu_jump.mp4").first { $0.kind == "video" })
        let original = try XCTUnwrap(FFmpegCheck.streams(source).first { $0.kind == "video" })
        XCTAssertEqual(jumped.duration, original.duration, accuracy: 0.1, "the jump closed, frame durations kept")
        XCTAssertEqual(cameras[2].requests.filter { $0 == "DESCRIBE" }.count, 2, "one 401, then Digest SHA-256 with qop")
    }

    /// A camera's RTCP sender report gives the wall clock of its frames: the chunk's start
    /// (recordChunkClosed's wallClockStart, listRecordings' startTime) is the first frame's
    /// capture time by the camera's clock, not the recorder's.
    func testSenderReportWallClockIsTheRecordingsStart() throws {
        try FFmpegCheck.require()
        let source = TestPaths.fixture("mp4/h264_only.mp4")
        var quirks = FaultyRTSPCamera.Quirks()
        let captured = 1_000_000_000.0  // 2001-09-09, far from the recorder's clock
        quirks.senderReport = (atFrame: 10, unixTime: captured + 0.4)  // frame 10 is 0.4 s in at 25 fps
        let camera = try FaultyRTSPCamera(fixture: source, quirks: quirks)
        defer { camera.stop() }
        let directory = TestPaths.temporaryDirectory("rtsp-sender-report")
        let recorder = try RecorderProcess(directory: directory)
        defer { recorder.stop() }
        XCTAssertEqual(try recorder.command("/record?localStreamName=sr&pathToFile=sr&type=mp4")["status"] as? String, "SUCCESS")
        XCTAssertEqual(try recorder.command("/pullStream?uri=\(camera.url)&localStreamName=sr&keepAlive=0")["status"] as? String, "SUCCESS")
        XCTAssertTrue(recorder.waitForLog("recordChunkFinalized", timeout: 30), recorder.log_())
        let closed = try XCTUnwrap(recorder.log_().split(separator: "\n").first { $0.contains("recordChunkClosed") })
        let start = try XCTUnwrap(closed.range(of: #""wallClockStart":"#).map { closed[$0.upperBound...].prefix { "0123456789.".contains($0) } })
        XCTAssertEqual(try XCTUnwrap(Double(start)), captured, accuracy: 0.05, String(closed))
        let listed = try recorder.command("/listRecordings?localStreamName=sr")
        let entry = try XCTUnwrap((listed["data"] as? [[String: Any]])?.first, "\(listed)")
        XCTAssertEqual(try XCTUnwrap(entry["startTime"] as? Double), captured, accuracy: 0.05, "\(entry)")
        XCTAssertEqual(try FFmpegCheck.complaints("\(directory)/media/sr.mp4"), "")
    }
}
