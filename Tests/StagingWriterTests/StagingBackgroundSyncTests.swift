import Foundation
import MediaCore
import Recorder
@testable import StagingWriter
import TestSupport
import XCTest

/// The periodic fdatasync runs in the background: a disk that takes seconds to sync (another
/// process writing gigabytes) does not hold up appends, and bytes keep reaching the kernel; a
/// sync that fails stops the writer as a failed write does.
final class StagingBackgroundSyncTests: XCTestCase {
    private final class Calls: @unchecked Sendable {
        let lock = NSLock()
        var count = 0
        func add() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }

    func testSlowSyncDoesNotHoldUpTheWriter() throws {
        let output = TestPaths.temporaryDirectory("slow-sync") + "/rec.mp4"
        let calls = Calls()
        var options = StagingWriter.Options()
        options.syncInterval = 0          // a sync after every flush
        options.wallFlushInterval = 0     // a flush after every sample
        options.backgroundFileSync = { file throws(SystemError) in
            calls.add()
            usleep(1_500_000)             // a disk busy for 1.5 s per file
            try file.dataSync()
        }
        let writer = try StagingWriter(output: output, options: options)
        try writer.addTrack(SyntheticSource.trackDescription)
        let source = SyntheticSource(sampleCount: 100)
        let start = ContinuousClock.now
        for i in 0..<60 { try writer.append(source.frame(i)) }
        XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(1400), "60 appends wait for no sync (one wait would be 1.5 s)")
        // Every sample is with the kernel, though the first sync is still running.
        XCTAssertEqual(try StagingSet(output: output).validate(verifyPayloads: true).tracks.first?.keptSamples, 60)
        // The queue may start the first sync late on a loaded machine: wait for it to begin.
        // It then sleeps 1.5 s, and no append is made meanwhile, so a second call could only
        // be one queued behind it.
        let deadline = ContinuousClock.now + .seconds(10)
        while calls.value == 0, ContinuousClock.now < deadline { usleep(10_000) }
        XCTAssertEqual(calls.value, 1, "one sync at a time: none queued behind the slow one")
        try writer.close()  // waits for the running sync, then syncs inline
        let validation = try StagingSet(output: output).validate(verifyPayloads: true)
        XCTAssertTrue(validation.closedCleanly)
        XCTAssertEqual(validation.tracks.first?.keptSamples, 60)
    }

    func testFailedBackgroundSyncStopsTheWriter() throws {
        let output = TestPaths.temporaryDirectory("failed-sync") + "/rec.mp4"
        var options = StagingWriter.Options()
        options.syncInterval = 0
        options.wallFlushInterval = 0
        options.backgroundFileSync = { file throws(SystemError) in
            throw SystemError(call: "fdatasync", path: file.path, errno: EIO)
        }
        let writer = try StagingWriter(output: output, options: options)
        try writer.addTrack(SyntheticSource.trackDescription)
        let source = SyntheticSource(sampleCount: 100)
        var thrown: Error?
        for i in 0..<100 where thrown == nil {
            do { try writer.append(source.frame(i)) } catch { thrown = error }
            usleep(5_000)
        }
        let error = try XCTUnwrap(thrown, "the failed sync reaches the writer")
        XCTAssertTrue("\(error)".contains("fdatasync"), "\(error)")
        XCTAssertThrowsError(try writer.append(source.frame(99)), "a failed writer refuses more samples")
        XCTAssertThrowsError(try writer.close())
        // What was flushed before stays readable; the set is an unclosed one for --recovery.
        let validation = try StagingSet(output: output).validate(verifyPayloads: true)
        XCTAssertFalse(validation.closedCleanly)
        XCTAssertGreaterThan(validation.tracks.first?.keptSamples ?? 0, 0)
    }
}
