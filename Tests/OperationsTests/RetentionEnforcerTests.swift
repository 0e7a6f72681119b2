import Foundation
import MediaCore
import Operations
import TestSupport
import XCTest

/// Retention with a clock and a filesystem the test controls: age, total bytes, per-config
/// limits and the free-space floor each delete the oldest complete recordings first, and
/// never one being written or finalized; when nothing is left to delete, the shortage is
/// reported (the recorder pauses on it).
final class RetentionEnforcerTests: XCTestCase {
    private final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var time: Double
        init(_ time: Double) { self.time = time }
        var now: Double { lock.withLock { time } }
        func advance(_ seconds: Double) { lock.withLock { time += seconds } }
    }

    private var dir = ""
    private var media: String { dir + "/media" }

    override func setUp() {
        dir = TestPaths.temporaryDirectory("retention")
        try? FileManager.default.createDirectory(atPath: dir + "/media", withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Ten 10-second recordings of 1000 bytes each (real files), starting at t=0, 10, ... 90.
    private func catalogWithRecordings(_ count: Int = 10, configId: (Int) -> Int = { _ in 1 },
                                       state: (Int) -> RecordingState = { _ in .finalized }) throws -> RecordingCatalog {
        let catalog = try RecordingCatalog(directory: dir + "/state")
        for n in 0..<count {
            let file = media + "/cam_part\(n).mp4"
            FileManager.default.createFile(atPath: file, contents: Data(count: 1000))
            catalog.upsert(RecordingEntry(file: file, localStreamName: "cam", configId: configId(n), startTime: Double(n) * 10,
                                          duration: 10, bytes: 1000, state: state(n)))
        }
        return catalog
    }

    private func files(_ outcome: RetentionEnforcer.Outcome) -> [String] { outcome.deleted.map { FileSystem.baseName($0.entry.file) } }

    func testAgeDeletesWhatEndedLongerAgoThanTheLimitAsTheClockMoves() throws {
        let catalog = try catalogWithRecordings()
        let clock = Clock(100)
        let enforcer = RetentionEnforcer(catalog: catalog, policy: RetentionPolicy(maxAgeSeconds: 45), roots: [media],
                                         now: { clock.now })
        // At t=100 the recordings that ended before t=55 (parts 0...4) are too old.
        let first = enforcer.enforce()
        XCTAssertEqual(files(first), (0...4).map { "cam_part\($0).mp4" })
        XCTAssertTrue(first.deleted.allSatisfy { $0.reason == .age })
        XCTAssertFalse(FileSystem.exists(media + "/cam_part4.mp4"))
        XCTAssertTrue(FileSystem.exists(media + "/cam_part5.mp4"))
        XCTAssertEqual(enforcer.enforce().deleted.count, 0, "nothing more until time passes")
        clock.advance(20)
        XCTAssertEqual(files(enforcer.enforce()), ["cam_part5.mp4", "cam_part6.mp4"])
        XCTAssertEqual(catalog.count, 3)
    }

    func testTheByteLimitKeepsTheNewestAndNeverTouchesLiveChunks() throws {
        // The oldest two are still being finalized / written (a stuck finalize): kept whatever the cap.
        let catalog = try catalogWithRecordings(state: { n in n == 0 ? .finalizing : n == 1 ? .recording : .finalized })
        let enforcer = RetentionEnforcer(catalog: catalog, policy: RetentionPolicy(maxBytes: 4500), roots: [media])
        let outcome = enforcer.enforce()
        XCTAssertEqual(files(outcome), (2...7).map { "cam_part\($0).mp4" })
        XCTAssertTrue(outcome.deleted.allSatisfy { $0.reason == .bytes })
        XCTAssertEqual(catalog.byteTotals().all, 4000)
        XCTAssertTrue(FileSystem.exists(media + "/cam_part0.mp4") && FileSystem.exists(media + "/cam_part1.mp4"))
    }

    func testAConfigsOwnLimitsApplyToItsRecordingsOnly() throws {
        // Even parts are config 1's, odd parts config 2's; config 2 keeps 2000 bytes.
        let catalog = try catalogWithRecordings(configId: { $0 % 2 + 1 })
        let enforcer = RetentionEnforcer(catalog: catalog, policy: RetentionPolicy(), roots: [media],
                                         overrides: { [2: RetentionPolicy(maxBytes: 2000)] })
        XCTAssertEqual(files(enforcer.enforce()), ["cam_part1.mp4", "cam_part3.mp4", "cam_part5.mp4"])
        XCTAssertEqual(catalog.byteTotals().byConfig[1], 5000)
        XCTAssertEqual(catalog.byteTotals().byConfig[2], 2000)
    }

    func testTheFreeSpaceFloorDeletesUntilItHoldsThenReportsAShortage() throws {
        let catalog = try catalogWithRecordings(state: { n in n == 9 ? .recording : .finalized })
        let disk = FakeDisk(available: 7500)
        let enforcer = RetentionEnforcer(catalog: catalog, policy: RetentionPolicy(minFreeBytes: 10_000), roots: [media],
                                         usage: { _ in disk.usage })
        let outcome = enforcer.enforce()
        XCTAssertEqual(files(outcome), ["cam_part0.mp4", "cam_part1.mp4", "cam_part2.mp4"], "2500 short: three of 1000")
        XCTAssertTrue(outcome.deleted.allSatisfy { $0.reason == .freeSpace })
        XCTAssertEqual(outcome.plan.shortages, [])

        // The disk fills with something else: everything complete goes, the live chunk stays,
        // and the shortage is reported.
        disk.set(1000)
        let starved = enforcer.enforce()
        XCTAssertEqual(files(starved), (3...8).map { "cam_part\($0).mp4" })
        XCTAssertEqual(starved.plan.shortages.map(\.root), [media])
        XCTAssertEqual(starved.plan.shortages.first?.availableBytes, 7000)
        XCTAssertTrue(FileSystem.exists(media + "/cam_part9.mp4"), "the chunk being written is never deleted")
        XCTAssertEqual(catalog.count, 1)
    }

    func testACheckWithNothingToDoVisitsOneEntry() throws {
        let catalog = try catalogWithRecordings()
        let enforcer = RetentionEnforcer(catalog: catalog, policy: RetentionPolicy(maxAgeSeconds: 3600, maxBytes: 1 << 30),
                                         roots: [media], now: { 100 })
        let plan = enforcer.plan()
        XCTAssertEqual(plan.deletions.count, 0)
        XCTAssertEqual(plan.visited, 1, "no walk: the oldest recording is young enough and the totals are under the cap")
    }

    func testFilesTheCatalogDoesNotHoldAreNeverDeleted() throws {
        let catalog = try catalogWithRecordings(2)
        let stranger = media + "/operator-notes.mp4"
        FileManager.default.createFile(atPath: stranger, contents: Data(count: 50_000))
        let enforcer = RetentionEnforcer(catalog: catalog, policy: RetentionPolicy(maxAgeSeconds: 1, maxBytes: 1), roots: [media],
                                         now: { 1_000_000 })
        XCTAssertEqual(enforcer.enforce().deleted.count, 2)
        XCTAssertTrue(FileSystem.exists(stranger))
    }
}
