import Foundation
import MediaCore
import Recorder
import TestSupport
import XCTest

final class ConfigStoreTests: XCTestCase {
    var state = ""

    override func setUp() { state = TestPaths.temporaryDirectory("state") + "/state" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: FileSystem.directoryName(state)) }

    private func parameters(_ name: String) -> RecordParameters {
        var p = RecordParameters(localStreamName: name, pathToFile: "/media/\(name) \"x\"", type: .ts)
        p.chunkLength = 60
        p.winQtCompat = true
        p.keepAlive = false
        return p
    }

    func testRoundTripAndStableIds() throws {
        let store = try ConfigStore(directory: state)
        XCTAssertEqual(store.entries, [])
        XCTAssertEqual(store.nextConfigId, 1)
        let a = try store.add(parameters("a"))
        let b = try store.add(parameters("b"))
        let c = try store.add(parameters("c"))
        XCTAssertEqual([a, b, c].map(\.configId), [1, 2, 3])
        XCTAssertEqual(try store.remove(id: 3)?.parameters, parameters("c"))
        XCTAssertNil(try store.remove(id: 3))

        // A restart sees the same configs, and never reuses id 3.
        let lines = LogLines()
        let reopened = try ConfigStore(directory: state, log: lines.append)
        XCTAssertEqual(reopened.entries, [a, b])
        XCTAssertEqual(reopened.nextConfigId, 4)
        XCTAssertEqual(try reopened.add(parameters("d")).configId, 4)
        XCTAssertEqual(reopened.entry(id: 2), b)
        XCTAssertEqual(lines.all, [], "a sound file loads without a word")
        XCTAssertFalse(FileSystem.exists(reopened.path + ".tmp"), "the temporary file is renamed away")
        // The file is JSON that Foundation reads, with typed values.
        let text = String(decoding: try FileSystem.readFile(reopened.path), as: UTF8.self)
        let json = try parseJSONObject(text)
        XCTAssertEqual(json["nextConfigId"] as? Int, 5)
        XCTAssertEqual(json["formatVersion"] as? Int, 1)
        XCTAssertTrue(text.contains(#""winQtCompat":true"#), text)
    }

    func testCorruptFileIsMovedAsideAndLogged() throws {
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let path = state + "/" + ConfigStore.fileName
        for garbage in ["{\"configs\": [", "", "\u{0}\u{1}binary", #"{"formatVersion":1}"#, "[1,2,3]"] {
            try FileSystem.writeAtomically(Array(garbage.utf8), to: path)
            let lines = LogLines()
            let store = try ConfigStore(directory: state, log: lines.append)
            XCTAssertEqual(store.entries, [], garbage)
            XCTAssertEqual(lines.all.count, 1, garbage)
            let line = try XCTUnwrap(lines.all.first)
            XCTAssertTrue(line.contains("is corrupt") && line.contains(".corrupt-"), line)
            XCTAssertFalse(FileSystem.exists(path), "moved aside, not left to be overwritten")
            XCTAssertEqual(try store.add(parameters("a")).configId, 1, "the store works after it")
            try FileSystem.remove(path)
        }
        let aside = FileSystem.listDirectory(state).filter { $0.contains(".corrupt-") }
        XCTAssertEqual(aside.count, 5, "each damaged file is kept under its own name: \(aside)")
    }

    func testInvalidEntriesAreDroppedOthersKept() throws {
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let path = state + "/" + ConfigStore.fileName
        let text = """
        {"formatVersion":1,"nextConfigId":3,"configs":[
          {"configId":1,"parameters":{"localStreamName":"a","pathToFile":"/m/a","type":"mp4","overwrite":true,"chunkLength":10}},
          {"configId":2,"parameters":{"localStreamName":"b","pathToFile":"/m/b","type":"avi"}},
          {"configId":1,"parameters":{"localStreamName":"c","pathToFile":"/m/c"}},
          {"configId":7,"parameters":{"localStreamName":"d","pathToFile":"/m/d","keepAlive":"0"}},
          {"nonsense":true}
        ]}
        """
        try FileSystem.writeAtomically(Array(text.utf8), to: path)
        let lines = LogLines()
        let store = try ConfigStore(directory: state, log: lines.append)
        XCTAssertEqual(store.entries.map(\.configId), [1, 7])
        XCTAssertEqual(store.entries.first?.parameters.overwrite, true)
        XCTAssertEqual(store.entries.first?.parameters.chunkLength, 10)
        XCTAssertEqual(store.entries.last?.parameters.keepAlive, false)
        XCTAssertEqual(store.nextConfigId, 8, "never below an id in use")
        let line = try XCTUnwrap(lines.all.first)
        for part in ["invalid type 'avi'", "configId 1 used twice", "malformed entry", "kept 2 of 5"] {
            XCTAssertTrue(line.contains(part), "\(part) missing from: \(line)")
        }
        XCTAssertEqual(FileSystem.listDirectory(state).filter { $0.contains(".corrupt-") }.count, 1, "original kept aside")
        XCTAssertEqual(try ConfigStore(directory: state).entries, store.entries, "the cleaned list was saved")
    }

    func testNewerFormatIsAnErrorNotOverwritten() throws {
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let path = state + "/" + ConfigStore.fileName
        try FileSystem.writeAtomically(Array(#"{"formatVersion":99,"nextConfigId":1,"configs":[]}"#.utf8), to: path)
        XCTAssertThrowsError(try ConfigStore(directory: state)) { error in
            XCTAssertTrue("\(error)".contains("format version 99"), "\(error)")
        }
        XCTAssertTrue(FileSystem.exists(path))
    }
}

/// Collects log lines from any thread.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var all: [String] { lock.withLock { lines } }
    var append: @Sendable (String) -> Void { { [self] line in lock.withLock { lines.append(line) } } }
}
