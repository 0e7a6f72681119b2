import Foundation
import MediaCore
import Recorder
import XCTest

final class JSONWriterTests: XCTestCase {
    func testStringEscapesPerRFC8259() {
        XCTAssertEqual(JSONValue.string("plain").text, #""plain""#)
        XCTAssertEqual(JSONValue.string(#"say "hi" \ bye"#).text, #""say \"hi\" \\ bye""#)
        XCTAssertEqual(JSONValue.string("a\nb\rc\td\u{08}e\u{0C}f").text, #""a\nb\rc\td\be\ff""#)
        XCTAssertEqual(JSONValue.string("\u{00}\u{01}\u{1F}").text, #""\u0000\u0001\u001f""#)
        XCTAssertEqual(JSONValue.string("\u{2028}\u{2029}\u{FEFF}").text, #""\u2028\u2029\ufeff""#)
        // Non-ASCII stays UTF-8; "/" needs no escape; DEL (0x7F) is not a control character in JSON.
        XCTAssertEqual(JSONValue.string("é/日本/🎥\u{7F}").text, "\"é/日本/🎥\u{7F}\"")
    }

    /// Every scalar from 0 to 0x3FF plus a few beyond, through our writer and back through
    /// Foundation's parser: the same string.
    func testEscapedStringsParseBack() throws {
        var scalars = (0..<0x400).compactMap(Unicode.Scalar.init)
        scalars += ["\u{2028}", "\u{2029}", "\u{FEFF}", "\u{1F3A5}", "\u{10FFFF}"]
        let original = String(String.UnicodeScalarView(scalars))
        let text = JSONValue.array([.string(original)]).text
        XCTAssertFalse(text.contains("\n"))
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String]
        XCTAssertEqual(parsed, [original])
    }

    func testScalarsArraysAndSortedObjects() {
        XCTAssertEqual(JSONValue.null.text, "null")
        XCTAssertEqual(JSONValue.bool(true).text, "true")
        XCTAssertEqual(JSONValue.int(-42).text, "-42")
        XCTAssertEqual(JSONValue.double(1.5).text, "1.5")
        XCTAssertEqual(JSONValue.double(.nan).text, "null")
        XCTAssertEqual(JSONValue.double(.infinity).text, "null")
        XCTAssertEqual(JSONValue.array([]).text, "[]")
        XCTAssertEqual(JSONValue.object([:]).text, "{}")
        let value: JSONValue = ["z": 1, "a": [true, nil, "x"], "m": ["b": 2, "a": 1]]
        XCTAssertEqual(value.text, #"{"a":[true,null,"x"],"m":{"a":1,"b":2},"z":1}"#)
        // Keys are escaped like strings.
        XCTAssertEqual(JSONValue.object(["k\"\n": 1]).text, #"{"k\"\n":1}"#)
    }

    func testAnswerShape() {
        XCTAssertEqual(CommandAnswer.fail("bad \"x\"").text, #"{"data":null,"description":"bad \"x\"","status":"FAIL"}"#)
        XCTAssertEqual(CommandAnswer.success("ok", data: ["a": 1]).text, #"{"data":{"a":1},"description":"ok","status":"SUCCESS"}"#)
    }
}
