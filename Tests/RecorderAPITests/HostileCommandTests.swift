import Foundation
import Recorder
import TestSupport
import XCTest

/// Hostile API input: command lines and HTTP targets built from the real commands and
/// parameters, then mutated (bytes flipped, cut, repeated, huge or odd values). Every one gets
/// an answer that is valid JSON with a status; nothing crashes or hangs, and no path outside
/// the allowed roots reaches the engine.
final class HostileCommandTests: XCTestCase {
    private var root = ""
    private var control = FakeRecorderControl()
    private var dispatcher: CommandDispatcher!

    override func setUp() {
        root = TestPaths.temporaryDirectory("hostile-api")
        try! FileManager.default.createDirectory(atPath: root + "/media", withIntermediateDirectories: true)
        control = FakeRecorderControl()
        dispatcher = CommandDispatcher(control: control, paths: PathPolicy(mediaDirectory: root + "/media"))
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: root)
    }

    private static let commands = ["record", "listConfig", "removeConfig", "listStreams", "pullStream", "version", "shutdownServer", "listRecordings"]
    private static let keys = ["localStreamName", "pathToFile", "type", "overwrite", "keepAlive", "chunkLength",
                               "waitForIDR", "winQtCompat", "dateFolderStructure", "uri", "id", "configId"]
    private static let values = ["a", "", "0", "-1", "1", "true", "false", "mp4", "flv", "ts", "avi", "../../etc/passwd",
                                 "/etc/shadow", "x/../../y", "%00", "\u{0}", "9999999999999999999999", "1e308", "NaN",
                                 "udp://127.0.0.1:1", "tcp://0.0.0.0:0", "rtmp://h/app/s", String(repeating: "A", count: 5000),
                                 "name with spaces", "é✓", "=", "==", "\"quoted\"", "a;b", "a\\nb"]

    private static let paths = ["a", "sub/dir/b", "../../etc/passwd", "/etc/shadow", "x/../../y", "./c", "d/./e",
                                "/tmp/elsewhere", "..", "sub/../../f", "~/g", "h\u{0}i", "%2e%2e/j"]

    private func line(_ rng: inout SeededGenerator) -> String {
        var parts = [Self.commands.randomElement(using: &rng)!]
        if Int.random(in: 0..<3, using: &rng) == 0 {
            // A record command that could be accepted: its path is what is under attack.
            parts = ["record", "localStreamName=s\(Int.random(in: 0..<5, using: &rng))",
                     "pathToFile=" + Self.paths.randomElement(using: &rng)!]
        }
        for _ in 0..<Int.random(in: 0...6, using: &rng) {
            parts.append(Self.keys.randomElement(using: &rng)! + "=" + Self.values.randomElement(using: &rng)!)
        }
        var bytes = Array(parts.joined(separator: " ").utf8)
        for _ in 0..<Int.random(in: 0...3, using: &rng) where !bytes.isEmpty {
            let at = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
            case 1: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...20, using: &rng)))
            case 2: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + 30)], at: at)
            default: bytes.insert(contentsOf: Array("=".utf8), at: at)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func testMutatedCommandsAreAnsweredAndConfined() throws {
        var rng = SeededGenerator(seed: 0xA91)
        var statuses: [CommandAnswer.Status: Int] = [:]
        for index in 0..<3000 {
            let text = line(&rng)
            // Half as command lines (the line protocol), half as HTTP targets with params in
            // base64, as the seed's HTTP API carries them.
            let answer: CommandAnswer
            if index % 2 == 0 {
                answer = dispatcher.answer(line: text)
            } else {
                let name = text.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
                let params = text.split(separator: " ").dropFirst().joined(separator: " ")
                let encoded = Data(params.utf8).base64EncodedString()
                answer = dispatcher.answer(httpTarget: "/\(name)?params=\(encoded)")
            }
            let json = try parseJSONObject(answer.text)
            XCTAssertNotNil(json["status"] as? String, text)
            XCTAssertNotNil(json["description"] as? String, text)
            statuses[answer.status, default: 0] += 1
        }
        XCTAssertGreaterThan(statuses[.fail] ?? 0, 0)
        XCTAssertGreaterThan(statuses[.success] ?? 0, 0)
        XCTAssertGreaterThan(control.recorded.count, 0, "some record commands were accepted, so confinement was tested")
        for parameters in control.recorded {
            XCTAssertTrue(parameters.pathToFile.hasPrefix(root + "/media/"), "a recording outside the media folder: \(parameters.pathToFile)")
        }
        print("hostile API: 3000 mutated commands, \(statuses[.success] ?? 0) accepted, \(statuses[.fail] ?? 0) refused, \(control.recorded.count) record configs, all inside the media folder")
    }
}
