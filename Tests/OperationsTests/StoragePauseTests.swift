import Foundation
import ISOBMFF
import MediaCore
import Operations
import Recorder
import TestSupport
import XCTest

/// The engine's side of the free-space floor, with a filesystem the test controls (so it runs
/// without root, unlike FreeSpaceFloorTests): under the floor with nothing left to delete, the
/// recording closes its file and the config is `paused` with the reason; frames that arrive
/// meanwhile are not recorded; above the floor again, it records from the latest keyframe.
final class StoragePauseTests: XCTestCase {
    func testRecordingPausesUnderTheFloorAndResumesAboveIt() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("pause")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let media = dir + "/media"
        let lines = LogLines()
        let engine = RecorderEngine(options: .init(mp4writerPath: TestPaths.executable("mp4writer")), store: nil, log: { lines.append($0) })
        defer { engine.shutdown() }
        let disk = FakeDisk(available: 10_000_000)
        let operations = RecorderOperations(catalog: try RecordingCatalog(directory: dir + "/state"),
                                            policy: RetentionPolicy(minFreeBytes: 5_000_000), roots: [media], version: "test",
                                            usage: { _ in disk.usage })
        engine.operations = operations
        _ = try engine.record(RecordParameters(localStreamName: "cam", pathToFile: media + "/cam"))
        try engine.streamStarted("cam", source: "test")
        let source = try MP4FileSource(path: TestPaths.fixture("mp4/h264_aac.mp4"))
        for track in source.tracks { engine.streamEvent("cam", .track(track)) }
        let frames = try source.reader.frames()
        let third = frames.count / 3
        for frame in frames[..<third] { engine.streamEvent("cam", .frame(frame)) }
        XCTAssertEqual(engine.listConfigs().first?.state, "recording")

        disk.set(1_000_000)
        operations.checkNow()
        let paused = try XCTUnwrap(engine.listConfigs().first)
        XCTAssertEqual(paused.state, "paused")
        XCTAssertTrue(paused.lastError?.contains("--min-free-bytes") ?? false, paused.lastError ?? "")
        XCTAssertEqual(engine.activeRecordingCount, 0)
        XCTAssertTrue(lines.all.contains { $0.contains("\"recordingPaused\"") && $0.contains(media) }, lines.all.joined(separator: "\n"))
        for frame in frames[third..<(2 * third)] { engine.streamEvent("cam", .frame(frame)) }
        XCTAssertEqual(engine.activeRecordingCount, 0, "frames under the floor are not recorded")
        // The file closed at the pause is finalized, then deleted: still under the floor.
        engine.pool.waitUntilIdle()
        operations.checkNow()
        XCTAssertTrue(lines.all.contains { $0.contains("\"recordingDeleted\"") && $0.contains("\"free-space\"") && $0.contains("cam.mp4") },
                      lines.all.joined(separator: "\n"))
        XCTAssertFalse(FileSystem.exists(media + "/cam.mp4"))

        disk.set(10_000_000)
        operations.checkNow()
        XCTAssertEqual(engine.listConfigs().first?.state, "recording")
        XCTAssertTrue(lines.all.contains { $0.contains("\"recordingResumed\"") })
        for frame in frames[(2 * third)...] { engine.streamEvent("cam", .frame(frame)) }
        engine.streamEnded("cam")
        engine.pool.waitUntilIdle()

        // The recording after the resume took the free name again (the first file is gone);
        // it plays, and it is what the catalog lists.
        let config = try XCTUnwrap(engine.listConfigs().first)
        XCTAssertEqual(config.filesWritten, [media + "/cam.mp4", media + "/cam.mp4"])
        XCTAssertEqual(try FFmpegCheck.complaints(media + "/cam.mp4"), "")
        let listed = operations.catalog.query(RecordingQuery()).entries
        XCTAssertEqual(listed.map(\.file), [media + "/cam.mp4"])
        XCTAssertEqual(listed.first?.state, .finalized)
    }
}
