import Foundation
import MediaCore
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Recording onto a filesystem that fills up: a 192 KiB tmpfs mounted inside the media
/// folder (needs root or CAP_SYS_ADMIN; without them the test skips with a message). One
/// stream records onto it, another onto the normal disk, both sent at once. The recorder must
/// report the full disk in an error event (naming ENOSPC's "No space left on device"), keep
/// recording the other stream to a complete MP4, and leave what it recorded on the full disk
/// as a staging set that `mp4writer --recovery` turns into a playable MP4 once space returns.
final class FullDiskTests: XCTestCase {
    static let fixture = "ts/h264_aac_10s.ts"

    private func mount(size: String, at dir: String, remount: Bool = false) -> (ok: Bool, message: String) {
        let args = remount ? ["-o", "remount,size=\(size)", dir] : ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", dir]
        guard let out = try? ExternalTool.run("mount", args) else { return (false, "cannot run mount") }
        return (out.status == 0, out.stderr)
    }

    func testAFullDiskIsReportedOtherStreamsGoOnAndTheRecordingIsRecoverable() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("fulldisk")
        let small = dir + "/media/small"
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        let mounted = mount(size: "192k", at: small)
        guard mounted.ok else {
            let message = "cannot mount a tmpfs here (\(mounted.message.trimmingCharacters(in: .whitespacesAndNewlines))): the full-disk test needs root or CAP_SYS_ADMIN"
            print("SKIPPING full-disk test: " + message)
            Reliability.report("full disk: SKIPPED (\(message))")
            throw XCTSkip(message)
        }
        defer {
            _ = try? ExternalTool.run("umount", [small])
            try? FileManager.default.removeItem(atPath: dir)
        }
        let server = try RecorderProcess(directory: dir)
        var stopped = false
        defer { if !stopped { server.stop() } }
        let fullPort = freeTCPPort(), otherPort = freeTCPPort()
        for (name, path, port) in [("full", "small/full", fullPort), ("other", "other", otherPort)] {
            XCTAssertEqual(try server.command("/record?localStreamName=\(name)&pathToFile=\(path)")["status"] as? String, "SUCCESS")
            XCTAssertEqual(try server.command("/pullStream?uri=tcp://127.0.0.1:\(port)&localStreamName=\(name)")["status"] as? String, "SUCCESS")
        }
        let source = TestPaths.fixture(Self.fixture)
        let senders = try [fullPort, otherPort].map { port -> Process in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: ExternalTool.find("ffmpeg")!)
            p.arguments = ["-nostdin", "-v", "quiet", "-re", "-i", source, "-c", "copy", "-f", "mpegts", "tcp://127.0.0.1:\(port)"]
            try p.run()
            return p
        }
        senders.forEach { $0.waitUntilExit() }
        XCTAssertTrue(server.waitForLog("\"streamClosed\"", count: 2), server.log_())
        XCTAssertTrue(server.waitForLog("recordChunkFinalized", count: 1), server.log_())
        server.stop()
        stopped = true
        let log = server.log_()

        // 1. Said clearly: an error event for the stream on the full disk, naming the condition.
        let errorLines = log.split(separator: "\n").filter { $0.contains("recordChunkError") && $0.contains("full") }
        XCTAssertFalse(errorLines.isEmpty, "no recordChunkError for the full disk:\n\(log)")
        XCTAssertTrue(errorLines.contains { $0.contains("No space left on device") }, "the error names the full disk: \(errorLines)")
        XCTAssertFalse(log.split(separator: "\n").contains { $0.contains("recordChunkError") && $0.contains("\"other\"") },
                       "the other stream had no error")

        // 2. The other stream, on another disk, recorded whole.
        let other = dir + "/media/other.mp4"
        XCTAssertEqual(try FFmpegCheck.complaints(other), "")
        let sourceFrames = try Probe.videoFrameMD5s(source)
        XCTAssertEqual(try Probe.videoFrameMD5s(other), sourceFrames, "the other stream is complete")

        // 3. What fitted on the full disk is recoverable once there is space again.
        let full = small + "/full.mp4"
        XCTAssertTrue(FileSystem.exists(full + ".mdat"), "the staging set stays on the full disk")
        XCTAssertTrue(mount(size: "8m", at: small, remount: true).ok, "remount with space")
        let recovery = try ExternalTool.run(TestPaths.executable("mp4writer"), ["-path=\(full)", "--recovery"])
        XCTAssertTrue([0, 4].contains(recovery.status), "mp4writer --recovery exited \(recovery.status): \(recovery.stdout)\(recovery.stderr)")
        XCTAssertEqual(try FFmpegCheck.complaints(full), "")
        let recovered = try Probe.videoFrameMD5s(full)
        XCTAssertFalse(recovered.isEmpty)
        // A decode-order prefix: the source's first frames, up to the last B-frames of the cut.
        let common = zip(recovered, sourceFrames).prefix { $0 == $1 }.count
        XCTAssertGreaterThanOrEqual(common, recovered.count - 2, "recovered frames are the source's first frames")
        let payload = (try? FileManager.default.attributesOfItem(atPath: full)[.size] as? Int) ?? 0
        Reliability.report(String(format: "full disk: 192 KiB filesystem filled; error event names ENOSPC; other stream complete (%d frames); %d frames (%.2f s, %d bytes) recovered from the full disk",
                                  sourceFrames.count, recovered.count, Double(recovered.count) / 25, payload))
    }

    /// When space returns during the stream, the config records again by itself (a retry a few
    /// seconds after the failure, from the latest keyframe, under the next free name).
    func testRecordingResumesWhenSpaceReturns() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("fulldisk-resume")
        let small = dir + "/media/small"
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        let mounted = mount(size: "192k", at: small)
        guard mounted.ok else {
            print("SKIPPING full-disk resume test: cannot mount a tmpfs here")
            throw XCTSkip("cannot mount a tmpfs here: \(mounted.message)")
        }
        defer {
            _ = try? ExternalTool.run("umount", [small])
            try? FileManager.default.removeItem(atPath: dir)
        }
        let server = try RecorderProcess(directory: dir)
        defer { server.stop() }
        let port = freeTCPPort()
        XCTAssertEqual(try server.command("/record?localStreamName=full&pathToFile=small/full")["status"] as? String, "SUCCESS")
        XCTAssertEqual(try server.command("/pullStream?uri=tcp://127.0.0.1:\(port)&localStreamName=full")["status"] as? String, "SUCCESS")
        let sender = Process()
        sender.executableURL = URL(fileURLWithPath: ExternalTool.find("ffmpeg")!)
        // 10 s at real time, twice: long enough for the failure, the remount and a retry.
        sender.arguments = ["-nostdin", "-v", "quiet", "-re", "-stream_loop", "1", "-i", TestPaths.fixture(Self.fixture), "-c", "copy",
                            "-f", "mpegts", "tcp://127.0.0.1:\(port)"]
        try sender.run()
        XCTAssertTrue(server.waitForLog("No space left on device", timeout: 15), server.log_())
        XCTAssertTrue(mount(size: "16m", at: small, remount: true).ok, "remount with space")
        XCTAssertTrue(server.waitForLog("\"recordRetry\"", timeout: 15), server.log_())
        sender.waitUntilExit()
        XCTAssertTrue(server.waitForLog("\"streamClosed\"", timeout: 15), server.log_())
        XCTAssertTrue(server.waitForLog("recordChunkFinalized", timeout: 15), server.log_())
        let resumed = small + "/full_1.mp4"
        XCTAssertTrue(FileSystem.exists(resumed), "the retry recorded under the next name: \(FileSystem.listDirectory(small))")
        XCTAssertEqual(try FFmpegCheck.complaints(resumed), "")
        let frames = try FFmpegCheck.streams(resumed).first { $0.kind == "video" }?.frames ?? 0
        XCTAssertGreaterThan(frames, 100, "seconds of the stream recorded after space returned")
        Reliability.report("full disk: recording resumed by itself after space returned (\(frames) frames in \(FileSystem.baseName(resumed)))")
    }
}
