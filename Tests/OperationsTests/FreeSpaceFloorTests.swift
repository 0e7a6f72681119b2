import Foundation
import MediaCore
import TestSupport
import XCTest

/// `--min-free-bytes` on a small filesystem (a 6 MiB tmpfs mounted as the media folder; needs
/// root or CAP_SYS_ADMIN, else the test skips with a message): when something else fills the
/// disk, retention deletes the oldest complete recordings; when nothing is left to delete and
/// free space is still under the floor, recording stops cleanly with `recordingPaused` (before
/// the disk is full: no ENOSPC), /health answers 503 naming the floor, and recording resumes by
/// itself (`recordingResumed`, a new chunk) once space returns.
final class FreeSpaceFloorTests: XCTestCase {
    func testRecordingPausesAtTheFloorAndResumesWhenSpaceReturns() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("floor")
        let media = dir + "/media"
        try FileManager.default.createDirectory(atPath: media, withIntermediateDirectories: true)
        guard let mounted = try? ExternalTool.run("mount", ["-t", "tmpfs", "-o", "size=6m", "tmpfs", media]), mounted.status == 0 else {
            print("SKIPPING free-space floor test: cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)")
            throw XCTSkip("cannot mount a tmpfs here")
        }
        defer {
            _ = try? ExternalTool.run("umount", [media])
            try? FileManager.default.removeItem(atPath: dir)
        }
        let floor: UInt64 = 2_000_000
        let server = try RecorderProcess(directory: dir, extraArguments: ["--min-free-bytes", String(floor), "--retention-interval", "1"])
        defer { server.stop() }
        XCTAssertEqual(try server.command("/record?localStreamName=cam1&pathToFile=cam1&chunkLength=1")["status"] as? String, "SUCCESS")
        let publisher = try OperationsSupport.publish(port: server.rtmpPort, name: "cam1", seconds: 40)
        defer { if publisher.isRunning { publisher.terminate() } }
        XCTAssertTrue(server.waitForLog("recordChunkFinalized", count: 2), server.log_())

        // Something else fills the disk: 1.2 MB stay free, under the 2 MB floor.
        let filler = media + "/filler.bin"
        let available = try FileSystem.usage(media).availableBytes
        XCTAssertTrue(FileManager.default.createFile(atPath: filler, contents: Data(count: Int(available) - 1_200_000)))
        XCTAssertTrue(server.waitForLog("\"recordingPaused\"", timeout: 15), server.log_())
        let pausedLog = server.log_()
        let freed = OperationsSupport.events(pausedLog, "recordingDeleted")
        XCTAssertFalse(freed.isEmpty, "the oldest recordings were deleted first")
        XCTAssertTrue(freed.allSatisfy { $0["reason"] as? String == "free-space" }, "\(freed)")
        XCTAssertTrue(FileSystem.exists(filler), "a file the catalog does not hold is never deleted")

        let health = try LoopbackHTTP.get(port: server.httpPort, target: "/health")
        XCTAssertEqual(health.status, 503, health.body)
        XCTAssertTrue(health.body.contains("--min-free-bytes"), health.body)
        XCTAssertTrue(try LoopbackHTTP.get(port: server.httpPort, target: "/metrics").body.contains("recorder_storage_paused 1"))
        XCTAssertTrue(OperationsSupport.waitUntil {
            let streams = (try? server.command("/listStreams")["data"] as? [[String: Any]]) ?? []
            let cam = streams.first { $0["localStreamName"] as? String == "cam1" }
            return cam?["recording"] as? Bool == false && (cam?["lastError"] as? String ?? "").contains("floor")
        }, "listStreams: not recording, the floor as the last error")

        // Space returns: recording resumes under the next name.
        try FileManager.default.removeItem(atPath: filler)
        XCTAssertTrue(server.waitForLog("\"recordingResumed\"", timeout: 15), server.log_())
        let resumedAt = server.log_().components(separatedBy: "\"recordingResumed\"").count
        XCTAssertGreaterThan(resumedAt, 1)
        XCTAssertTrue(OperationsSupport.waitUntil { server.log_().components(separatedBy: "\"recordingResumed\"").last?.contains("recordChunkFinalized") ?? false },
                      "a chunk recorded and finalized after the resume:\n\(server.log_())")
        publisher.terminate()
        publisher.waitUntilExit()
        XCTAssertTrue(server.waitForLog("\"streamClosed\""), server.log_())
        let log = server.log_()
        XCTAssertFalse(log.contains("No space left on device"), "the floor was reached before the disk was full:\n\(log)")
        let after = log.components(separatedBy: "\"recordingResumed\"").last ?? ""
        let resumedFile = OperationsSupport.events(after, "recordChunkFinalized").compactMap { $0["file"] as? String }.first ?? ""
        XCTAssertEqual(try FFmpegCheck.complaints(resumedFile), "", resumedFile)
    }
}
