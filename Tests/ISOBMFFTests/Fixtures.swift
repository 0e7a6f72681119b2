import MediaCore
import TestSupport
import XCTest
@testable import ISOBMFF

/// The checked-in MP4 fixtures (Tests/Fixtures/mp4, see the README there for how each was made).
enum MP4Fixture: String, CaseIterable {
    case h264AAC = "h264_aac.mp4"
    case h265AAC = "h265_aac.mp4"
    case aacOnly = "aac_only.mp4"
    case h264Only = "h264_only.mp4"

    var path: String { TestPaths.fixture("mp4/\(rawValue)") }

    func bytes() throws -> [UInt8] { try FileSystem.readFile(path) }
}

extension BoxNode {
    /// This box and every box below it, depth first in file order.
    var allNodes: [BoxNode] { [self] + children.flatMap(\.allNodes) }
}

extension BoxTree {
    var allNodes: [BoxNode] { boxes.flatMap(\.allNodes) }
}

/// The bytes of `node` (header and body) in `file`.
func bytes(of node: BoxNode, in file: [UInt8]) -> [UInt8] {
    Array(file[Int(node.offset)..<Int(node.header.end)])
}


/// Asserts that `body` throws exactly `expected`.
func XCTAssertThrowsMP4Error<T>(_ expected: MP4ParseError, _ body: () throws -> T,
                                file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected \(expected), nothing thrown", file: file, line: line)
    } catch let error as MP4ParseError {
        XCTAssertEqual(error, expected, file: file, line: line)
    } catch {
        XCTFail("expected \(expected), got \(error)", file: file, line: line)
    }
}
