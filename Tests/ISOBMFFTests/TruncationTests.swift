import MediaCore
import TestSupport
import XCTest
@testable import ISOBMFF

/// Damaged input must throw, never trap.
final class TruncationTests: XCTestCase {
    /// The file cut at every offset from the start of its moov: the moov runs past the end.
    func testFileCutAnywhereInTheMovieThrows() throws {
        let file = try MP4Fixture.aacOnly.bytes()
        let moov = try XCTUnwrap(BoxTree(bytes: file).first("moov"))
        for cut in Int(moov.offset)..<Int(moov.header.end) {
            XCTAssertThrowsError(try MP4Reader(bytes: Array(file.prefix(cut))), "cut at \(cut)")
        }
    }

    /// The moov cut at every offset with its size field fixed up to match, so the damage is
    /// found inside it: by a child's header, a child past its parent, or a body parser.
    func testMovieCutAtEveryOffsetThrowsUnlessAtAChildBoundary() throws {
        for fixture in MP4Fixture.allCases {
            let file = try fixture.bytes()
            let moov = try XCTUnwrap(BoxTree(bytes: file).first("moov"))
            XCTAssertEqual(moov.header.end, Int64(file.count), "the fixture's moov is last")
            let start = Int(moov.offset)
            let boundaries = Set(moov.children.map { Int($0.header.end - moov.offset) })
            var parsedAtBoundary = 0
            for length in 8..<Int(moov.size) {
                var cut = Array(file.prefix(start + length))
                cut.replaceSubrange(start..<start + 4, with: FourCC(rawValue: UInt32(length)).bytes)
                do {
                    _ = try MP4Reader(bytes: cut)
                    XCTAssertTrue(boundaries.contains(length) || length == 8,
                                  "\(fixture.rawValue): moov cut to \(length) bytes parsed")
                    parsedAtBoundary += 1
                } catch {
                    // Thrown as expected; a cut that lands between children leaves a valid,
                    // shorter movie (one without a track), which is why boundaries may parse.
                }
            }
            XCTAssertGreaterThan(parsedAtBoundary, 0, fixture.rawValue)
        }
    }

    /// Every typed body cut short throws (hdlr excepted: its name simply ends sooner).
    func testEveryBodyCutShortThrows() throws {
        let file = try MP4Fixture.h264AAC.bytes()
        let tree = try BoxTree(bytes: file)
        let decoders: [FourCC: ([UInt8]) throws -> Void] = [
            "mvhd": { _ = try MovieHeaderBox.decode(body: $0) }, "tkhd": { _ = try TrackHeaderBox.decode(body: $0) },
            "mdhd": { _ = try MediaHeaderBox.decode(body: $0) }, "elst": { _ = try EditListBox.decode(body: $0) },
            "stsd": { _ = try SampleDescriptionBox.decode(body: $0) }, "stts": { _ = try TimeToSampleBox.decode(body: $0) },
            "ctts": { _ = try CompositionOffsetBox.decode(body: $0) }, "stss": { _ = try SyncSampleBox.decode(body: $0) },
            "stsz": { _ = try SampleSizeBox.decode(body: $0) }, "stsc": { _ = try SampleToChunkBox.decode(body: $0) },
            "stco": { _ = try ChunkOffsetBox.decode(body: $0) }, "vmhd": { _ = try VideoMediaHeaderBox.decode(body: $0) },
            "smhd": { _ = try SoundMediaHeaderBox.decode(body: $0) }, "dref": { _ = try DataReferenceBox.decode(body: $0) },
        ]
        var checked = 0
        for node in tree.allNodes {
            guard let decode = decoders[node.type], let body = node.body else { continue }
            XCTAssertNoThrow(try decode(body), "\(node.type) whole")
            for length in 0..<body.count {
                XCTAssertThrowsError(try decode(Array(body.prefix(length))), "\(node.type) cut to \(length)")
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 20)
    }

    /// Random byte changes in the moov: the reader throws or returns, and returned files read.
    func testMutatedMoviesNeverTrap() throws {
        for fixture in [MP4Fixture.aacOnly, .h264AAC] {
            let file = try fixture.bytes()
            let moov = try XCTUnwrap(BoxTree(bytes: file).first("moov"))
            var generator = SeededGenerator(seed: 0x5EED)
            var accepted = 0
            for _ in 0..<1500 {
                var mutated = file
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    let index = Int.random(in: Int(moov.offset)..<file.count, using: &generator)
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0: mutated[index] ^= UInt8(1 << Int.random(in: 0..<8, using: &generator))
                    case 1: mutated[index] = 0xFF
                    default: mutated[index] = UInt8.random(in: 0...255, using: &generator)
                    }
                }
                if let reader = try? MP4Reader(bytes: mutated) {
                    accepted += 1
                    XCTAssertNoThrow(try reader.frames())
                }
            }
            // Most single-byte changes land in sizes, offsets and payload-free fields that
            // still form a valid file; the point is that none traps.
            XCTAssertGreaterThan(accepted, 0, fixture.rawValue)
        }
    }
}
