import Containers
import Foundation
import MediaCore
@testable import Recorder
import Synchronization
import TestSupport
import XCTest

/// The backpressure half of the write-queue policy (docs/reliability.md "A disk that stalls"):
/// a full queue makes the delivering thread wait for room, which slows a TCP publisher to the
/// disk's pace, so a disk that is only slower than the publisher loses nothing; frames drop
/// only when the disk stays stalled past `backpressureTimeout` (DiskBacklogTests).
final class WriterBackpressureTests: XCTestCase {
    static let fixture = "ts/h264_aac_10s.ts"
    static let queueLimit = 32 << 10

    func testADiskSlowerThanThePublisherSlowsItAndDropsNothing() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("backpressure")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = RecordingWriter.Options()
        options.queueLimitBytes = Self.queueLimit
        // 2 ms per job: the 10 s fixture's ~750 jobs take 1.5 s, while delivering it takes
        // milliseconds: the queue is full nearly all the time.
        options.beforeEachJob = { Thread.sleep(forTimeInterval: 0.002) }
        let dropped = Mutex(0)
        let pool = FinalizerPool(mp4writerPath: TestPaths.executable("mp4writer"))
        let session = RecordingSession(parameters: RecordParameters(localStreamName: "cam", pathToFile: dir + "/cam"),
                                       resolvedPath: dir + "/cam", pool: pool, writerOptions: options,
                                       onEvent: { if case .framesDropped = $0 { dropped.withLock { $0 += 1 } } })
        var reader = StreamReader(input: .file(TestPaths.fixture(Self.fixture)))
        var largestFrame = 0
        let start = ContinuousClock.now
        try reader.run { event in
            if case .frame(let frame) = event { largestFrame = max(largestFrame, frame.payload.count) }
            try session.handle(event)
        }
        let delivered = ContinuousClock.now - start
        try session.finish()
        pool.waitUntilIdle()

        XCTAssertEqual(session.droppedFrames, 0)
        XCTAssertEqual(dropped.withLock { $0 }, 0, "no framesDropped event")
        XCTAssertGreaterThan(delivered, .milliseconds(500), "delivering waited for the disk")
        XCTAssertLessThanOrEqual(session.recordingWriter.peakQueuedBytes, max(Self.queueLimit, largestFrame), "memory stayed bounded")
        let output = dir + "/cam.mp4"
        XCTAssertEqual(try FFmpegCheck.complaints(output), "")
        func md5s(_ path: String) throws -> [String] {
            try FFmpegCheck.frameHashes(path, stream: "v").map { String($0.split(separator: ",").last!).trimmingCharacters(in: .whitespaces) }
        }
        let recorded = try md5s(output), source = try md5s(TestPaths.fixture(Self.fixture))
        XCTAssertEqual(recorded.count, 250)
        XCTAssertTrue(recorded == source, "every frame recorded, in order")
    }

    func testWaitingForRoomEndsAtTheTimeoutAndNotAtAllWhileDropping() {
        var options = RecordingWriter.Options()
        options.queueLimitBytes = 100
        options.backpressureTimeout = .milliseconds(300)
        let gate = DispatchSemaphore(value: 0)
        options.beforeEachJob = { gate.wait() }
        let writer = RecordingWriter(options: options)
        writer.submit(bytes: 100) {}
        XCTAssertFalse(writer.hasRoom(for: 1))

        var start = ContinuousClock.now
        XCTAssertFalse(writer.admits(bytes: 1, dropping: false))
        let waited = ContinuousClock.now - start
        XCTAssertGreaterThanOrEqual(waited, .milliseconds(300))
        XCTAssertLessThan(waited, .seconds(2))

        start = ContinuousClock.now
        XCTAssertFalse(writer.admits(bytes: 1, dropping: true))
        XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(100), "a stretch being dropped does not wait again")

        // Room made while a frame waits: it is admitted as soon as the job ends.
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { gate.signal() }
        start = ContinuousClock.now
        XCTAssertTrue(writer.admits(bytes: 1, dropping: false))
        XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(300))
        writer.waitUntilIdle()
    }
}
