import Foundation
import MediaCore
import MP4Export
import TestSupport
import XCTest

/// A spliced file reads as the concatenation of its parts, at any range, and says so when a
/// source file is shorter than planned.
final class SplicedFileTests: XCTestCase {
    func testEveryRangeReadsAsTheConcatenationOfItsParts() throws {
        let dir = TestPaths.temporaryDirectory("spliced")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let b = (0..<3000).map { UInt8(truncatingIfNeeded: $0 * 13 + 1) }
        try Data(a).write(to: URL(fileURLWithPath: dir + "/a"))
        try Data(b).write(to: URL(fileURLWithPath: dir + "/b"))
        let header: [UInt8] = Array("HEADER".utf8)
        let file = SplicedFile(parts: [.bytes(header), .fileRange(path: dir + "/a", offset: 100, count: 2000), .bytes([]),
                                       .fileRange(path: dir + "/b", offset: 0, count: 3000), .fileRange(path: dir + "/a", offset: 4000, count: 1000)])
        let whole = header + Array(a[100..<2100]) + b + Array(a[4000..<5000])
        XCTAssertEqual(file.size, Int64(whole.count))
        XCTAssertEqual(try file.bytes(0..<file.size), whole)
        for start in stride(from: 0, to: whole.count, by: 397) {
            for length in [0, 1, 5, 2000, 5000] where start + length <= whole.count {
                XCTAssertEqual(try file.bytes(Int64(start)..<Int64(start + length)), Array(whole[start..<start + length]), "\(start)+\(length)")
            }
        }
        try file.write(to: dir + "/out")
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/out"))), whole)

        // A chunk cut by someone else after planning: an error naming it, not missing bytes.
        let truncated = SplicedFile(parts: [.fileRange(path: dir + "/b", offset: 2000, count: 2000)])
        XCTAssertThrowsError(try truncated.bytes(0..<2000)) { error in
            XCTAssertTrue("\(error)".contains(dir + "/b"), "\(error)")
        }
    }
}
