import Foundation
@testable import MediaCore
import Operations
import TestSupport
import XCTest

/// storageInfo's figures: each recording counted once, under the deepest root that holds it;
/// the filesystem's figures from the probe; an unreadable root reported, not hidden.
final class StorageReportTests: XCTestCase {
    func testRecordingsCountUnderTheDeepestRootAndUsageComesFromTheProbe() throws {
        let catalog = try RecordingCatalog(directory: TestPaths.temporaryDirectory("storage-report"))
        for (file, bytes) in [("/srv/media/a.mp4", 100), ("/srv/media/cams/b.mp4", 20), ("/srv/media/cams/c.mp4", 3), ("/elsewhere/d.mp4", 7),
                              ("/srv/media-old/e.mp4", 1000)] {
            catalog.upsert(RecordingEntry(file: file, localStreamName: "cam1", configId: 1, startTime: 1_796_000_000,
                                          duration: 2, bytes: UInt64(bytes), state: .finalized))
        }
        let policy = RetentionPolicy(maxAgeSeconds: 86400, maxBytes: nil, minFreeBytes: 5_000)
        let report = StorageReport.measure(catalog: catalog, roots: ["/srv/media", "/srv/media/cams", "/gone"], policy: policy,
                                           belowFloor: ["/srv/media/cams"]) { root in
            guard root != "/gone" else { throw SystemError(call: "statvfs", path: root, errno: ENOENT) }
            return FilesystemUsage(filesystemID: 1, totalBytes: 10_000, availableBytes: 4_000)
        }
        XCTAssertEqual(report.roots.map(\.usedBytes), [100, 23, 0], "nested roots do not count a file twice; /srv/media-old is not /srv/media")
        XCTAssertEqual(report.roots.map(\.recordingCount), [1, 2, 0])
        XCTAssertEqual(report.roots.map(\.belowFloor), [false, true, false])
        XCTAssertEqual(report.roots[0].usage?.availableBytes, 4_000)
        XCTAssertNil(report.roots[2].usage)
        XCTAssertTrue(report.roots[2].usageError?.contains("/gone") ?? false, "\(report.roots[2])")
        XCTAssertEqual(report.recordingCount, 5)
        XCTAssertEqual(report.usedBytes, 1130)
        XCTAssertEqual(report.policy, policy)
    }
}
