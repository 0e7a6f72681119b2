import MediaCore
import XCTest
@testable import ISOBMFF

final class BoxTreeTests: XCTestCase {
    func testEveryFixtureParses() throws {
        for fixture in MP4Fixture.allCases {
            let tree = try BoxTree(path: fixture.path)
            // ffmpeg without -movflags +faststart writes the moov last.
            XCTAssertEqual(tree.topLevelTypes, ["ftyp", "free", "mdat", "moov"], fixture.rawValue)
            XCTAssertEqual(tree.boxes.last?.header.end, tree.fileSize, fixture.rawValue)
            let mdat = try XCTUnwrap(tree.first("mdat"))
            XCTAssertEqual(mdat.content, .inFile, "mdat stays in the file")
            XCTAssertEqual(mdat.headerSize, 8)
            let moov = try XCTUnwrap(tree.first("moov"))
            XCTAssertNotNil(moov.descendant("trak", "mdia", "minf", "stbl", "stsz"), fixture.rawValue)
            // Children tile their parent exactly.
            for node in tree.allNodes where !node.children.isEmpty {
                var offset = node.header.bodyOffset
                for child in node.children {
                    XCTAssertEqual(child.offset, offset, "\(fixture.rawValue): \(child.type) inside \(node.type)")
                    offset = child.header.end
                }
                XCTAssertEqual(offset, node.header.end)
            }
        }
    }

    func testOffsetsAndSizesOfH264AAC() throws {
        let tree = try BoxTree(path: MP4Fixture.h264AAC.path)
        let mdat = try XCTUnwrap(tree.first("mdat"))
        XCTAssertEqual(mdat.offset, 40)
        XCTAssertEqual(mdat.size, 146_022)
        let moov = try XCTUnwrap(tree.first("moov"))
        XCTAssertEqual(moov.offset, 146_062)
        XCTAssertEqual(moov.size, 3520)
        let traks = moov.children(ofType: "trak")
        XCTAssertEqual(traks.map(\.offset), [146_178, 147_827])
        XCTAssertEqual(traks[1].descendant("mdia", "minf", "stbl", "stsz")?.offset, 148_530)
        XCTAssertEqual(try tree.first("ftyp")?.decode(FileTypeBox.self).majorBrand, "isom")
    }

    func testTreeFromMemoryEqualsTreeFromFile() throws {
        let fixture = MP4Fixture.aacOnly
        XCTAssertEqual(try BoxTree(bytes: fixture.bytes()), try BoxTree(path: fixture.path))
    }

    func testMissingFileIsASystemError() {
        XCTAssertThrowsError(try BoxTree(path: "/nonexistent/file.mp4")) { error in
            guard case let .system(systemError)? = error as? MP4ParseError else { return XCTFail("\(error)") }
            XCTAssertTrue(systemError.isNotFound)
        }
    }

    // MARK: Hand-made boxes

    private func box(_ type: FourCC, _ body: [UInt8]) -> [UInt8] {
        var writer = ByteWriter()
        writer.writeBox(type, bodySize: body.count) { $0.write(bytes: body) }
        return writer.bytes
    }

    func testChildSmallerThanItsHeader() {
        // moov at 0 holding a child whose size (4) cannot even hold its header.
        let file = box("moov", [0, 0, 0, 4] + FourCC("free").bytes)
        XCTAssertThrowsMP4Error(.sizeSmallerThanHeader("free", size: 4, headerSize: 8, at: 8)) {
            try BoxTree(bytes: file)
        }
    }

    func testChildPastItsParent() {
        let file = box("ftyp", FourCC("isom").bytes + [0, 0, 0, 0])
            + box("moov", [0, 0, 0, 100] + FourCC("trak").bytes + [0, 0, 0, 0])
        XCTAssertThrowsMP4Error(.extendsPastParent("trak", size: 100, available: 12, parent: "moov", at: 24)) {
            try BoxTree(bytes: file)
        }
    }

    func testTopLevelBoxPastTheEndOfTheFile() {
        let file = box("ftyp", FourCC("isom").bytes + [0, 0, 0, 0]) + [0, 0, 1, 0] + FourCC("mdat").bytes + [1, 2, 3]
        XCTAssertThrowsMP4Error(.extendsPastParent("mdat", size: 256, available: 11, parent: nil, at: 16)) {
            try BoxTree(bytes: file)
        }
    }

    func testCountLargerThanTheBody() throws {
        // stco claims 10 offsets and holds 2.
        let stco = box("stco", [0, 0, 0, 0, 0, 0, 0, 10] + [0, 0, 0, 1, 0, 0, 0, 2])
        let file = box("moov", box("trak", stco))
        let tree = try BoxTree(bytes: file)
        let node = try XCTUnwrap(tree.first("moov")?.descendant("trak", "stco"))
        XCTAssertEqual(node.offset, 16)
        XCTAssertThrowsMP4Error(.countExceedsBody("stco", count: 10, entrySize: 4, remaining: 8, at: 28)) {
            try node.decode(ChunkOffsetBox.self)
        }
    }

    func testBodyNotConsumedAndBodyTruncatedAreDistinct() {
        let stss = [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1] as [UInt8]
        XCTAssertThrowsMP4Error(.bodyNotConsumed("stss", leftover: 2, at: 12)) {
            try SyncSampleBox.decode(body: stss + [0, 0])
        }
        XCTAssertThrowsMP4Error(.countExceedsBody("stss", count: 1, entrySize: 4, remaining: 2, at: 4)) {
            try SyncSampleBox.decode(body: Array(stss.prefix(10)))
        }
        XCTAssertThrowsMP4Error(.truncatedBody("mdhd", needed: 4, remaining: 2, at: 12)) {
            try MediaHeaderBox.decode(body: [0, 0, 0, 0] + [UInt8](repeating: 0, count: 10))
        }
        XCTAssertThrowsMP4Error(.unsupportedVersion("mdhd", version: 2, at: 0)) {
            try MediaHeaderBox.decode(body: [2, 0, 0, 0] + [UInt8](repeating: 0, count: 20))
        }
    }

    func testBodyErrorsCarryFileOffsets() throws {
        let file = box("moov", box("mvhd", [1, 0, 0, 0, 0]))
        let tree = try BoxTree(bytes: file)
        let mvhd = try XCTUnwrap(tree.first("moov")?.child("mvhd"))
        // The body starts at 16; the second creation-time byte onwards is missing.
        XCTAssertThrowsMP4Error(.truncatedBody("mvhd", needed: 8, remaining: 1, at: 20)) {
            try mvhd.decode(MovieHeaderBox.self)
        }
    }

    func testNestingDeeperThanTheLimitIsRefused() {
        var file = box("free", [])
        for _ in 0..<(BoxNode.maxDepth + 2) { file = box("trak", file) }
        file = box("moov", file)
        XCTAssertThrowsError(try BoxTree(bytes: file)) { error in
            guard case .exceedsLimit("trak", _, UInt64(BoxNode.maxDepth), _)? = error as? MP4ParseError else {
                return XCTFail("\(error)")
            }
        }
    }

    func testQuickTimeUserDataTerminatorIsAccepted() throws {
        let file = box("moov", box("udta", box("free", []) + [0, 0, 0, 0]))
        let udta = try XCTUnwrap(BoxTree(bytes: file).first("moov")?.child("udta"))
        XCTAssertEqual(udta.children.map(\.type), ["free"])
    }

    func testLargeSizeAndSizeZeroAtTheTopLevel() throws {
        let ftyp = box("ftyp", FourCC("isom").bytes + [0, 0, 0, 0])
        let large: [UInt8] = [0, 0, 0, 1] + FourCC("mdat").bytes + [0, 0, 0, 0, 0, 0, 0, 20] + [1, 2, 3, 4]
        let toEnd: [UInt8] = [0, 0, 0, 0] + FourCC("mdat").bytes + [5, 6, 7]
        let tree = try BoxTree(bytes: ftyp + large + toEnd)
        XCTAssertEqual(tree.topLevelTypes, ["ftyp", "mdat", "mdat"])
        XCTAssertEqual(tree.boxes[1].headerSize, 16)
        XCTAssertEqual(tree.boxes[1].size, 20)
        XCTAssertEqual(tree.boxes[2].size, 11)
        XCTAssertTrue(tree.boxes[2].header.extendsToEnd)
    }
}
