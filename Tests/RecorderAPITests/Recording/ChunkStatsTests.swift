@testable import Recorder
import XCTest

/// A file's figures: samples, first and last decode time, duration.
final class ChunkStatsTests: XCTestCase {
    func testTheSummaryGivesSecondsPerTrack() {
        var stats = ChunkStats()
        for i in 0..<50 { stats.record(trackID: 1, dts: Int64(i) * 3600) }    // 25 fps, 90 kHz
        for i in 1...94 { stats.record(trackID: 2, dts: Int64(i) * 1024) }    // AAC, 48 kHz
        let scales: [UInt32: UInt32] = [1: 90_000, 2: 48_000]
        let summary = stats.summary(path: "/x.mp4", wallClockStart: 12) { scales[$0] }
        XCTAssertEqual(summary.samples, [1: 50, 2: 94])
        XCTAssertEqual(summary.firstTimestamp[1], 0)
        XCTAssertEqual(summary.firstTimestamp[2] ?? 0, 1024.0 / 48_000, accuracy: 1e-9)
        XCTAssertEqual(summary.lastTimestamp[1] ?? 0, 1.96, accuracy: 1e-9)
        XCTAssertEqual(summary.durationSeconds, 94 * 1024.0 / 48_000, accuracy: 1e-9)
        XCTAssertEqual(stats.seconds { scales[$0] }, summary.durationSeconds)
        XCTAssertEqual(summary.wallClockStart, 12)
        XCTAssertEqual(ChunkStats().seconds { scales[$0] }, 0)
    }
}
