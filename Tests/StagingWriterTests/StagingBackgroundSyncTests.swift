import Foundation
import MediaCore
import SyntheticMedia
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

    /// A track added while the disk is slow does not wait for .info to be replaced (a rename
    /// that replaces a file can wait for the disk): .info follows on the background queue,
    /// after the sync that holds it, and the close writes the final one.
    func testAddingATrackDoesNotWaitForTheDisk() throws {
        let output = TestPaths.temporaryDirectory("slow-info") + "/rec.mp4"
        let calls = Calls()
        var options = StagingWriter.Options()
        options.syncInterval = 0
        options.wallFlushInterval = 0
        options.backgroundFileSync = { file throws(SystemError) in
            calls.add()
            usleep(3_000_000)             // long enough that a loaded machine still finds it running
            try file.dataSync()
        }
        let writer = try StagingWriter(output: output, options: options)
        try writer.addTrack(SyntheticSource.trackDescription)
        let source = SyntheticSource(sampleCount: 10)
        try writer.append(source.frame(0))
        let deadline = ContinuousClock.now + .seconds(10)
        while calls.value == 0, ContinuousClock.now < deadline { usleep(10_000) }
        XCTAssertEqual(calls.value, 1, "the slow sync is running")

        let start = ContinuousClock.now
        try writer.addTrack(TrackDescription(trackID: 2, timescale: 48_000, sampleDescriptions: [
            SampleDescription(codec: .aac, configuration: [0x11, 0x90], sampleRate: 48_000, channelCount: 2)]))
        XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(2000), "addTrack waits for no sync (one would be 3 s)")
        // The rename was not done on this thread: the queue is still held by the slow sync,
        // so .info still names one track (written inline, this would already say two).
        XCTAssertEqual(try StagingSet(output: output).info?.tracks.map(\.description.trackID), [1])
        // Recoverable at once from the track files, whatever .info says yet.
        XCTAssertEqual(try StagingSet(output: output).tracks.map(\.header.trackID), [1, 2])

        // Once the queue is free, .info names both tracks.
        let infoDeadline = ContinuousClock.now + .seconds(10)
        var infoTracks: [UInt32] = []
        while ContinuousClock.now < infoDeadline {
            infoTracks = (try? StagingSet(output: output).info?.tracks.map(\.description.trackID)) ?? []
            if infoTracks == [1, 2] { break }
            usleep(50_000)
        }
        XCTAssertEqual(infoTracks, [1, 2])
        try writer.close()
        let set = try StagingSet(output: output)
        XCTAssertEqual(set.info?.tracks.map(\.description.trackID), [1, 2])
        XCTAssertTrue(set.info?.closedCleanly ?? false)
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
