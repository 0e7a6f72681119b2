import MediaCore
@testable import Recorder
import TestSupport
import XCTest

/// A recording's file names: the stem chosen at the first file, parts after it.
final class ChunkNamesTests: XCTestCase {
    func testTheStemIsChosenOnceAndPartsFollowIt() throws {
        let dir = TestPaths.temporaryDirectory("chunk-names")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var parameters = RecordParameters(localStreamName: "s", pathToFile: dir + "/cam")
        parameters.chunkLength = 10
        var names = ChunkNames(naming: OutputNaming(parameters: parameters, resolvedPath: dir + "/cam"))
        XCTAssertEqual(names.nextPath, dir + "/cam_part0000.mp4")
        XCTAssertEqual(names.takeNextPath(), dir + "/cam_part0000.mp4")
        // A file of that name appearing now does not change the recording's stem.
        FileManager.default.createFile(atPath: dir + "/cam_part0000.mp4", contents: Data())
        XCTAssertEqual(names.nextPath, dir + "/cam_part0001.mp4")
        XCTAssertEqual(names.takeNextPath(), dir + "/cam_part0001.mp4")
        XCTAssertEqual(names.opened, 2)

        var next = ChunkNames(naming: OutputNaming(parameters: parameters, resolvedPath: dir + "/cam"))
        XCTAssertEqual(next.takeNextPath(), dir + "/cam_1_part0000.mp4", "a new recording never touches an existing file")
    }

    func testAnUnchunkedRecordingHasThePlainName() {
        var names = ChunkNames(naming: OutputNaming(parameters: RecordParameters(localStreamName: "s", pathToFile: "/nonexistent/x.flv", type: .flv),
                                                    resolvedPath: "/nonexistent/x.flv"))
        XCTAssertEqual(names.takeNextPath(), "/nonexistent/x.flv")
    }
}
