import Foundation
import MediaCore
import TestSupport
import XCTest

final class FileDescriptorTests: XCTestCase {
    /// The vectored write lays its three parts end to end, empty ones included, after what
    /// the file already holds.
    func testThreePartWriteAppendsThePartsInOrder() throws {
        let path = TestPaths.temporaryDirectory("writev") + "/out.bin"
        let file = try FileDescriptor.open(path, [.writeOnly, .create, .truncate])
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try file.writeAll([1, 2, 3])
        try file.writeAll([9, 8], big, [7])
        try file.writeAll([], [5], [])
        try file.writeAll([], [], [])
        try file.close()
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: path))), [1, 2, 3, 9, 8] + big + [7, 5])
    }

    func testThreePartWriteThatFailsNamesTheCall() throws {
        let path = TestPaths.temporaryDirectory("writev-readonly") + "/out.bin"
        try FileDescriptor.open(path, [.writeOnly, .create, .truncate]).close()
        let file = try FileDescriptor.open(path, .readOnly)
        defer { try? file.close() }
        XCTAssertThrowsError(try file.writeAll([1], [2], [3])) { error in
            XCTAssertTrue("\(error)".contains("writev"), "\(error)")
        }
    }
}
