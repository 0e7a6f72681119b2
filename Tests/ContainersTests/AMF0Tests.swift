import Containers
import MediaCore
import TestSupport
import XCTest

final class AMF0Tests: XCTestCase {
    /// Every type the encoder writes, nested.
    static let sample: AMF0Value = .object([
        .init("number", .number(-1.5)),
        .init("true", .boolean(true)),
        .init("string", .string("héllo")),
        .init("empty", .string("")),
        .init("null", .null),
        .init("undefined", .undefined),
        .init("date", .date(millisecondsSince1970: 1_700_000_000_000, timeZone: 0)),
        .init("strict", .strictArray([.number(1), .string("two"), .boolean(false)])),
        .init("ecma", .ecmaArray([.init("width", .number(320)), .init("nested", .object([.init("a", .null)]))])),
    ])

    func testRoundTripOfEveryType() throws {
        let bytes = try AMF0Encoder.encode([Self.sample, .string("tail")])
        XCTAssertEqual(try AMF0Decoder.decodeAll(bytes), [Self.sample, .string("tail")])
        // bytes -> value -> same bytes.
        XCTAssertEqual(try AMF0Encoder.encode(try AMF0Decoder.decodeAll(bytes)), bytes)
    }

    /// The encodings of the AMF0 specification's examples, byte by byte.
    func testKnownEncodings() throws {
        XCTAssertEqual(try AMF0Encoder.encode([.number(1)]), [0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(try AMF0Encoder.encode([.boolean(true)]), [0x01, 0x01])
        XCTAssertEqual(try AMF0Encoder.encode([.string("ab")]), [0x02, 0x00, 0x02, 0x61, 0x62])
        XCTAssertEqual(try AMF0Encoder.encode([.null, .undefined]), [0x05, 0x06])
        XCTAssertEqual(try AMF0Encoder.encode([.object([.init("a", .null)])]), [0x03, 0x00, 0x01, 0x61, 0x05, 0x00, 0x00, 0x09])
        XCTAssertEqual(try AMF0Encoder.encode([.ecmaArray([])]), [0x08, 0, 0, 0, 0, 0x00, 0x00, 0x09])
        XCTAssertEqual(try AMF0Encoder.encode([.strictArray([.null])]), [0x0A, 0, 0, 0, 1, 0x05])
        XCTAssertEqual(try AMF0Encoder.encode([.date(millisecondsSince1970: 0, timeZone: 0)]), [0x0B] + [UInt8](repeating: 0, count: 10))
    }

    func testLongStringAboveSixtyFourKiB() throws {
        let long = String(repeating: "x", count: 70_000)
        let bytes = try AMF0Encoder.encode([.string(long)])
        XCTAssertEqual(bytes[0], AMF0Value.Marker.longString.rawValue)
        XCTAssertEqual(try AMF0Decoder.decodeAll(bytes), [.string(long)])
    }

    func testAccessors() {
        XCTAssertEqual(Self.sample["number"]?.number, -1.5)
        XCTAssertEqual(Self.sample["string"]?.string, "héllo")
        XCTAssertEqual(Self.sample["true"]?.boolean, true)
        XCTAssertEqual(Self.sample["ecma"]?.dictionary?["width"], .number(320))
        XCTAssertNil(Self.sample["missing"])
        XCTAssertEqual(Self.sample.dictionary?.count, 9)
    }

    func testTruncationAtEveryOffsetThrows() throws {
        let bytes = try AMF0Encoder.encode([Self.sample])
        for length in 0..<bytes.count {
            var decoder = AMF0Decoder(Array(bytes[0..<length]))
            XCTAssertThrowsError(try decoder.decode(), "decoded from \(length) bytes") { error in
                switch error as? AMF0Error {
                case .truncated?, .countExceedsData?: break
                default: XCTFail("\(error)")
                }
            }
        }
    }

    func testNestingBeyondTheLimitThrows() {
        var bytes: [UInt8] = []
        for _ in 0..<(AMF0Decoder.maxDepth + 2) { bytes += [0x0A, 0, 0, 0, 1] }  // strict array of one
        bytes.append(0x05)
        var decoder = AMF0Decoder(bytes)
        XCTAssertThrowsError(try decoder.decode()) { error in
            guard case .tooDeep = error as? AMF0Error else { return XCTFail("\(error)") }
        }
    }

    func testCountBeyondTheDataThrowsBeforeAllocating() {
        var decoder = AMF0Decoder([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x05])
        XCTAssertThrowsError(try decoder.decode()) { error in
            XCTAssertEqual(error as? AMF0Error, .countExceedsData(count: 0xFFFF_FFFF, remaining: 1, at: 0))
        }
    }

    func testUnsupportedMarkersAndInvalidUTF8Throw() {
        for bytes: [UInt8] in [[0x07, 0, 1], [0x10], [0x11], [0x42], [0x02, 0, 1, 0xFF]] {
            var decoder = AMF0Decoder(bytes)
            XCTAssertThrowsError(try decoder.decode(), "\(bytes)")
        }
    }

    func testMutationsNeverTrap() throws {
        let bytes = try AMF0Encoder.encode([Self.sample])
        var random = SeededGenerator(seed: 6)
        for _ in 0..<2_000 {
            var mutated = bytes
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                mutated[Int.random(in: 0..<mutated.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            _ = try? AMF0Decoder.decodeAll(mutated)
        }
    }
}
