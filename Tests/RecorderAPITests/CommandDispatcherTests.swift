import Foundation
import Recorder
import TestSupport
import XCTest

final class CommandDispatcherTests: XCTestCase {
    var root = ""
    var media = ""
    var control = FakeRecorderControl()
    var dispatcher: CommandDispatcher!

    override func setUp() {
        root = TestPaths.temporaryDirectory("api")
        media = root + "/media"
        try! FileManager.default.createDirectory(atPath: media, withIntermediateDirectories: true)
        try! FileManager.default.createDirectory(atPath: root + "/archive", withIntermediateDirectories: true)
        control = FakeRecorderControl()
        // The working directory is a folder beside media, so the seed's "../media/x" lands in it.
        try! FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
        dispatcher = CommandDispatcher(control: control,
                                       paths: PathPolicy(mediaDirectory: "../media", additionalRoots: [root + "/archive"],
                                                         currentDirectory: root + "/bin"))
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// seed-record.md's example call: the answer carries every field of the seed's example
    /// answer, with JSON types as there (booleans as booleans, numbers as numbers).
    func testSeedExampleAnswer() throws {
        let answer = dispatcher.answer(line: "record localStreamName=testpullstream pathtofile=../media/testRecord type=mp4 overwrite=1")
        XCTAssertEqual(answer.status, .success, answer.description)
        let text = answer.text
        let json = try parseJSONObject(text)
        XCTAssertEqual(json["status"] as? String, "SUCCESS")
        XCTAssertEqual(json["description"] as? String, "Recording Stream")
        let data = try XCTUnwrap(json["data"] as? [String: Any])
        let seedFields = ["chunkLength", "computedPathToFile", "configId", "dateFolderStructure", "hasAudio", "keepAlive",
                          "localStreamName", "mp4BinPath", "operationType", "overwrite", "pathToFile", "preset", "type",
                          "waitForIDR", "winQtCompat"]
        XCTAssertEqual(Set(data.keys), Set(seedFields))
        // Relative to the media folder: ../media/testRecord is media/testRecord.
        XCTAssertEqual(data["pathToFile"] as? String, media + "/testRecord")
        XCTAssertEqual(data["computedPathToFile"] as? String, media + "/testRecord.mp4")
        XCTAssertEqual(data["localStreamName"] as? String, "testpullstream")
        XCTAssertEqual(data["mp4BinPath"] as? String, control.mp4BinPath)
        XCTAssertEqual(data["type"] as? String, "mp4")
        // The exact JSON tokens: types as in the seed's answer.
        for token in [#""chunkLength":0"#, #""configId":1"#, #""dateFolderStructure":false"#, #""hasAudio":true"#,
                      #""keepAlive":true"#, #""operationType":7"#, #""overwrite":true"#, #""preset":0"#,
                      #""waitForIDR":true"#, #""winQtCompat":false"#] {
            XCTAssertTrue(text.contains(token), "\(token) missing from \(text)")
        }
        XCTAssertTrue(text.hasSuffix(#","description":"Recording Stream","status":"SUCCESS"}"#))
        // The engine got the resolved absolute path.
        XCTAssertEqual(control.recorded.map(\.pathToFile), [media + "/testRecord"])
    }

    func testPathPolicy() {
        let accepted: [(String, String)] = [
            ("rec", media + "/rec"),
            ("./a/../b/rec", media + "/b/rec"),
            (media + "/day1/rec", media + "/day1/rec"),
            (root + "/archive/x/rec", root + "/archive/x/rec"),
            (media + "//double//slash", media + "/double/slash"),
        ]
        for (given, _) in accepted {
            let answer = dispatcher.answer(line: "record localStreamName=a pathToFile=\"\(given)\"")
            XCTAssertEqual(answer.status, .success, "\(given): \(answer.description)")
        }
        XCTAssertEqual(control.recorded.map(\.pathToFile), accepted.map(\.1))

        // A link inside the media folder that leads out of the roots.
        try! FileManager.default.createDirectory(atPath: root + "/elsewhere", withIntermediateDirectories: true)
        try! FileManager.default.createSymbolicLink(atPath: media + "/escape", withDestinationPath: root + "/elsewhere")
        let refused: [(String, String)] = [
            ("../../etc/passwd", "outside the allowed roots"),
            ("../bin/x", "outside the allowed roots"),
            ("/etc/cron.d/evil", "outside the allowed roots"),
            (media + "/../elsewhere/x", "outside the allowed roots"),
            (media + "-sibling/x", "outside the allowed roots"),
            ("escape/x", "symbolic link"),
            ("sub/", "names a folder"),
            (".", "names the folder"),
            (media, "names the folder"),
        ]
        for (given, expected) in refused {
            let answer = dispatcher.answer(line: "record localStreamName=a pathToFile=\"\(given)\"")
            XCTAssertEqual(answer.status, .fail, given)
            XCTAssertTrue(answer.description.contains(expected), "\(given): \(answer.description)")
            XCTAssertTrue(answer.description.hasPrefix("record: pathToFile"), answer.description)
            XCTAssertEqual(answer.data, .null)
        }
        XCTAssertEqual(control.recorded.count, accepted.count, "a refused path never reaches the engine")
    }

    func testBadInputAnswersFailNamingTheProblem() throws {
        let lines: [(String, String)] = [
            ("frobnicate x=1", "unknown command 'frobnicate'"),
            ("record pathToFile=x", "missing parameter localStreamName"),
            ("record localStreamName=a pathToFile=x type=avi", "invalid type 'avi'"),
            ("record localStreamName=a pathToFile=x chunkLength=-1", "invalid chunkLength '-1'"),
            ("record localStreamName=a pathToFile=x overwrite=2", "invalid overwrite '2'"),
            ("record localStreamName=a pathToFile=../../../x", "outside the allowed roots"),
        ]
        for (line, expected) in lines {
            let answer = dispatcher.answer(line: line)
            let json = try parseJSONObject(answer.text)
            XCTAssertEqual(json["status"] as? String, "FAIL", line)
            XCTAssertTrue((json["description"] as? String ?? "").contains(expected), "\(line): \(answer.description)")
        }
        let garbage = dispatcher.answer(httpTarget: "/record?params=@@@garbage@@@")
        XCTAssertEqual(garbage.status, .fail)
        XCTAssertTrue(garbage.description.contains("params is not valid base64"), garbage.description)
        XCTAssertTrue(control.recorded.isEmpty)
    }

    func testListRemoveAndOtherCommands() throws {
        XCTAssertEqual(dispatcher.answer(line: "record localStreamName=b pathToFile=b").status, .success)
        XCTAssertEqual(dispatcher.answer(line: "record localStreamName=a pathToFile=a type=ts").status, .success)

        let list = dispatcher.answer(line: "listConfig")
        XCTAssertEqual(list.status, .success)
        let configs = try XCTUnwrap((try parseJSONObject(list.text)["data"] as? [String: Any])?["record"] as? [[String: Any]])
        XCTAssertEqual(configs.map { $0["configId"] as? Int }, [1, 2])
        XCTAssertEqual(configs.map { $0["state"] as? String }, ["waiting", "waiting"])
        XCTAssertEqual(configs[1]["type"] as? String, "ts")
        XCTAssertTrue(list.text.contains(#""lastError":null"#))

        let removed = dispatcher.answer(line: "removeConfig id=1")
        XCTAssertEqual(removed.status, .success, removed.description)
        let missing = dispatcher.answer(line: "removeConfig id=1")
        XCTAssertEqual(missing.status, .fail)
        XCTAssertEqual(missing.description, "removeConfig: no record config with id 1")

        let pull = dispatcher.answer(line: "pullStream uri=udp://127.0.0.1:9000 localStreamName=ts1")
        XCTAssertEqual(pull.status, .success, pull.description)
        let streams = try XCTUnwrap(try parseJSONObject(dispatcher.answer(line: "listStreams").text)["data"] as? [[String: Any]])
        XCTAssertEqual(streams.map { $0["localStreamName"] as? String }, ["ts1"])
        XCTAssertEqual(streams.first?["source"] as? String, "udp-ts")

        let version = dispatcher.answer(line: "version")
        XCTAssertEqual(version.data, ["banner": .string(CommandDispatcher.defaultVersion)])
    }

    func testShutdownIsAnsweredThenPerformedOnce() {
        let done = expectation(description: "onShutdown")
        let dispatcher = CommandDispatcher(control: control, paths: PathPolicy(mediaDirectory: media), onShutdown: { done.fulfill() })
        let answer = dispatcher.answer(line: "shutdownServer")
        XCTAssertEqual(answer.status, .success)
        XCTAssertTrue(answer.requestsShutdown)
        XCTAssertEqual(control.shutdownCalls, 0, "nothing stops before the answer is delivered")
        dispatcher.completeShutdown()
        dispatcher.completeShutdown()
        wait(for: [done], timeout: 5)
        XCTAssertEqual(control.shutdownCalls, 1)
        XCTAssertFalse(dispatcher.answer(line: "version").requestsShutdown)
    }
}
