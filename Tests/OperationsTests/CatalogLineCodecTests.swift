import Foundation
@testable import Operations
import XCTest

/// The journal's hand-written line format reads back what it writes, reads what JSONEncoder
/// writes, and JSONDecoder reads it: for awkward names (quotes, backslashes, line breaks,
/// controls, non-ASCII beyond the BMP) and every optional field set or not.
final class CatalogLineCodecTests: XCTestCase {
    private let entries = [
        RecordingEntry(file: "/srv/media/cam1_part0001.mp4", localStreamName: "cam1", configId: 1, startTime: 1_796_283_109.6834838,
                       duration: 1.984, bytes: 418_103,
                       tracks: [RecordingTrack(codec: "h264", width: 640, height: 360), RecordingTrack(codec: "aac", sampleRate: 48000, channels: 1)],
                       state: .finalized),
        RecordingEntry(file: "/srv/média/\"q\"\\b\n\t\r\u{1}\u{1F}/🎥 caméra.ts", localStreamName: "naïve \"cam\"", configId: nil,
                       startTime: 0.1, duration: 1e-5, bytes: UInt64(1) << 50, tracks: [], state: .recording),
        RecordingEntry(file: "/a.flv", localStreamName: "", configId: Int(Int32.max), startTime: -1.5, duration: 0, bytes: 0,
                       tracks: [RecordingTrack(codec: "opus")], state: .recovered),
    ]

    func testRoundTripsAndAgreesWithFoundation() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for entry in entries {
            let line = CatalogLineCodec.encode(entry)
            XCTAssertFalse(line.contains(UInt8(ascii: "\n")), "one line")
            XCTAssertEqual(CatalogLineCodec.decode(line[...]), entry)
            XCTAssertEqual(try JSONDecoder().decode(RecordingEntry.self, from: Data(line)), entry, String(decoding: line, as: UTF8.self))
            XCTAssertEqual(CatalogLineCodec.decode(Array(try encoder.encode(entry))[...]), entry)
        }
    }

    func testDamagedLinesAreRefused() {
        let line = CatalogLineCodec.encode(entries[0])
        for cut in [1, 10, line.count / 2, line.count - 1] {
            XCTAssertNil(CatalogLineCodec.decode(line.prefix(cut)), "cut at \(cut)")
        }
        for text in ["", "[]", "{}", "{\"file\":\"x\"}", #"{"bytes":-1,"duration":0,"file":"x","localStreamName":"s","startTime":0,"state":"finalized","tracks":[]}"#,
                     #"{"bytes":1,"duration":0,"file":"x","localStreamName":"s","startTime":0,"state":"lost","tracks":[]}"#,
                     String(repeating: "[", count: 100)] {
            XCTAssertNil(CatalogLineCodec.decode(Array(text.utf8)[...]), text)
        }
    }
}
