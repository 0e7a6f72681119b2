import Foundation
import MediaCore
import TestSupport
import XCTest

/// `recorder serve --retention-bytes` while ffmpeg publishes a ~1.6 Mbps stream: the
/// recordings on disk stay under the cap plus one chunk, retention only deletes finalized
/// chunks (each deletion an event), what stays decodes cleanly, and listRecordings lists
/// exactly the files on disk: before a restart, after it, and after the catalog file is
/// deleted (rebuilt from the files).
///
/// CI runs the short form (20 s, 2 s chunks, a 2 MB cap: about five chunks kept). The issue's
/// form (60 s, 4 s chunks, 6,000,000 bytes) runs with RECORDER_LONG_TESTS=1.
final class RetentionEndToEndTests: XCTestCase {
    func testRetentionKeepsTheFolderUnderTheCapAndTheCatalogListsTheFilesAcrossRestarts() throws {
        try FFmpegCheck.require()
        let long = TestForm.isLong
        let (seconds, chunk, cap) = long ? (60, 4, 6_000_000) : (20, 2, 2_000_000)
        let dir = TestPaths.temporaryDirectory("retention-e2e")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let media = dir + "/media"
        var server = try RecorderProcess(directory: dir, extraArguments: ["--retention-bytes", String(cap), "--retention-interval", "1"])
        var running = true
        defer { if running { server.stop() } }
        XCTAssertEqual(try server.command("/record?localStreamName=cam1&pathToFile=cam1&chunkLength=\(chunk)")["status"] as? String, "SUCCESS")
        let publisher = try OperationsSupport.publish(port: server.rtmpPort, name: "cam1", seconds: seconds)

        // While it records: the bytes on disk, and listStreams' view of the file being written.
        var peak: Int64 = 0
        var sawProgress = false
        while publisher.isRunning {
            peak = max(peak, OperationsSupport.filesOnDisk(media).values.reduce(0, +))
            if let streams = try? server.command("/listStreams")["data"] as? [[String: Any]],
               let cam = streams.first(where: { $0["localStreamName"] as? String == "cam1" }),
               cam["recording"] as? Bool == true, let file = cam["currentFile"] as? String, file.hasPrefix(media),
               (cam["bytes"] as? Int ?? 0) > 0, (cam["duration"] as? Double ?? 0) > 0 {
                sawProgress = true
            }
            usleep(200_000)
        }
        XCTAssertEqual(publisher.terminationStatus, 0, "ffmpeg published")
        XCTAssertTrue(server.waitForLog("\"streamClosed\""), server.log_())
        XCTAssertTrue(OperationsSupport.waitUntil { (try? OperationsSupport.listedFiles(server, state: "finalizing"))?.isEmpty ?? false }, "every chunk finalized")
        XCTAssertTrue(sawProgress, "listStreams showed the file being written with its bytes and duration so far")

        let log = server.log_()
        let finalized = OperationsSupport.events(log, "recordChunkFinalized").compactMap { $0["file"] as? String }
        let deleted = OperationsSupport.events(log, "recordingDeleted")
        let chunkSize = finalized.compactMap { file in deleted.first { $0["file"] as? String == file }?["bytes"] as? Int }.max()
            ?? Int(FileSystem.fileSize(finalized.last ?? "") ?? 0)
        XCTAssertGreaterThanOrEqual(finalized.count, seconds / chunk - 1, "a chunk every \(chunk) s")
        XCTAssertFalse(deleted.isEmpty, "retention deleted the oldest chunks")
        for event in deleted {
            let file = event["file"] as? String ?? ""
            XCTAssertEqual(event["reason"] as? String, "bytes")
            XCTAssertGreaterThan(event["bytes"] as? Int ?? 0, 0)
            XCTAssertFalse(FileSystem.exists(file), "\(file) is gone")
            // Only a finalized chunk, never the live one: its recordChunkFinalized came first.
            let lines = log.split(separator: "\n")
            let finalizedLine = lines.firstIndex { $0.contains("\"recordChunkFinalized\"") && $0.contains("\"file\":\"\(file)\"") }
            let deletedLine = lines.firstIndex { $0.contains("\"recordingDeleted\"") && $0.contains("\"file\":\"\(file)\"") }
            XCTAssertNotNil(finalizedLine, "\(file) was finalized")
            if let f = finalizedLine, let d = deletedLine { XCTAssertLessThan(f, d, "\(file) was finalized before it was deleted") }
        }
        let limit = Int64(cap) + Int64(chunkSize)
        XCTAssertLessThanOrEqual(peak, limit, "bytes on disk peaked at \(peak): over the cap \(cap) plus one chunk (\(chunkSize))")
        let remaining = OperationsSupport.finishedRecordings(media)
        XCTAssertEqual(remaining.count + deleted.count, finalized.count, "every chunk is on disk or was deleted")
        for file in remaining { XCTAssertEqual(try FFmpegCheck.complaints(file), "", file) }
        print(String(format: "retention: %d s at ~1.6 Mbps, %d s chunks, cap %d bytes: %d chunks, %d deleted, peak %lld bytes on disk (limit %lld)",
                     seconds, chunk, cap, finalized.count, deleted.count, peak, limit))

        // listRecordings lists exactly the files on disk, before and after a restart...
        XCTAssertEqual(Set(try OperationsSupport.listedFiles(server).keys), remaining)
        server.stop()
        running = false
        server = try RecorderProcess(directory: dir)
        running = true
        let afterRestart = try OperationsSupport.listedFiles(server)
        XCTAssertEqual(Set(afterRestart.keys), remaining)
        XCTAssertTrue(afterRestart.values.allSatisfy { $0["state"] as? String == "finalized" })

        // ...and after the catalog file is lost: rebuilt from the files, with the config's stream.
        server.stop()
        running = false
        try FileManager.default.removeItem(atPath: dir + "/state/recordings.jsonl")
        server = try RecorderProcess(directory: dir)
        running = true
        let rebuilt = try OperationsSupport.listedFiles(server)
        XCTAssertEqual(Set(rebuilt.keys), remaining)
        for (file, entry) in rebuilt {
            XCTAssertEqual(entry["state"] as? String, "recovered", file)
            XCTAssertEqual(entry["localStreamName"] as? String, "cam1", file)
            XCTAssertEqual(entry["configId"] as? Int, 1, file)
            XCTAssertEqual(entry["bytes"] as? Int, Int(FileSystem.fileSize(file) ?? -1), file)
            let before = afterRestart[file]
            XCTAssertEqual(entry["duration"] as? Double ?? 0, before?["duration"] as? Double ?? -1, accuracy: 0.15, file)
            XCTAssertEqual(entry["startTime"] as? Double ?? 0, before?["startTime"] as? Double ?? -1, accuracy: 1.0, file)
        }
    }
}
