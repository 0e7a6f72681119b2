import Foundation
import Recorder
import XCTest

final class CommandParserTests: XCTestCase {
    func testSeedExampleLine() throws {
        let command = try CommandParser.parse(line: "record localStreamName=video1 pathtofile=/recording/path/fileName type=mp4 overwrite=1")
        var expected = RecordParameters(localStreamName: "video1", pathToFile: "/recording/path/fileName", type: .mp4)
        expected.overwrite = true
        XCTAssertEqual(command, .record(expected))
    }

    /// Every seed parameter, in three spellings each: as the seed writes it, lower case, upper case.
    func testEverySeedParameterCaseInsensitively() throws {
        let values = [("localStreamName", "cam1"), ("pathToFile", "/m/x"), ("type", "ts"), ("overwrite", "1"),
                      ("keepAlive", "0"), ("chunkLength", "30"), ("waitForIDR", "0"), ("winQtCompat", "1"),
                      ("dateFolderStructure", "1")]
        var expected = RecordParameters(localStreamName: "cam1", pathToFile: "/m/x", type: .ts)
        expected.overwrite = true
        expected.keepAlive = false
        expected.chunkLength = 30
        expected.waitForIDR = false
        expected.winQtCompat = true
        expected.dateFolderStructure = true
        for spell in [{ (s: String) in s }, { $0.lowercased() }, { $0.uppercased() }] {
            for commandName in ["record", "RECORD", "Record"] {
                let line = commandName + " " + values.map { spell($0.0) + "=" + $0.1 }.joined(separator: " ")
                XCTAssertEqual(try CommandParser.parse(line: line), .record(expected), line)
            }
        }
        // Type values are case-insensitive too; booleans take true/false.
        let upper = try CommandParser.parse(line: "record localStreamName=a pathToFile=b type=FLV overwrite=true keepAlive=false")
        guard case .record(let p) = upper else { return XCTFail() }
        XCTAssertEqual(p.type, .flv)
        XCTAssertTrue(p.overwrite)
        XCTAssertFalse(p.keepAlive)
    }

    func testDefaultsFollowTheSeedTable() throws {
        guard case .record(let p) = try CommandParser.parse(line: "record localStreamName=a pathToFile=b") else { return XCTFail() }
        XCTAssertEqual(p.type, .mp4)
        XCTAssertFalse(p.overwrite)
        XCTAssertTrue(p.keepAlive)
        XCTAssertEqual(p.chunkLength, 0)
        XCTAssertTrue(p.waitForIDR)
        XCTAssertFalse(p.winQtCompat)
        XCTAssertFalse(p.dateFolderStructure)
    }

    func testQuotedValues() throws {
        let command = try CommandParser.parse(line: #"record localStreamName=a pathToFile="/media/my show/ep \"1\"" type=ts"#)
        guard case .record(let p) = command else { return XCTFail() }
        XCTAssertEqual(p.pathToFile, #"/media/my show/ep "1""#)
        // Tabs and repeated spaces separate words; a trailing CR (telnet) is whitespace.
        XCTAssertEqual(try CommandParser.parse(line: "  listConfig \t \r"), .listConfig)
        XCTAssertThrowsError(try CommandParser.parse(line: #"record localStreamName=a pathToFile="/media/open"#)) {
            XCTAssertTrue("\($0)".contains("unterminated"), "\($0)")
        }
    }

    func testCommandLineRoundTrip() throws {
        var p = RecordParameters(localStreamName: "cam 1", pathToFile: #"/m/a "b"\c"#, type: .flv)
        p.chunkLength = 600
        p.winQtCompat = true
        XCTAssertEqual(try CommandParser.parse(line: p.commandLine), .record(p))
    }

    func testOtherCommands() throws {
        XCTAssertEqual(try CommandParser.parse(line: "listconfig"), .listConfig)
        XCTAssertEqual(try CommandParser.parse(line: "LISTSTREAMS"), .listStreams)
        XCTAssertEqual(try CommandParser.parse(line: "removeConfig id=12"), .removeConfig(id: 12))
        XCTAssertEqual(try CommandParser.parse(line: "removeconfig ID=3"), .removeConfig(id: 3))
        XCTAssertEqual(try CommandParser.parse(line: "version"), .version)
        XCTAssertEqual(try CommandParser.parse(line: "shutdownServer"), .shutdownServer)
        XCTAssertEqual(try CommandParser.parse(line: "pullStream uri=UDP://0.0.0.0:9000 localStreamName=ts1"),
                       .pullStream(uri: "udp://0.0.0.0:9000", localStreamName: "ts1"))
        XCTAssertEqual(try CommandParser.parse(line: "pullstream localstreamname=t URI=tcp://[::1]:9001"),
                       .pullStream(uri: "tcp://[::1]:9001", localStreamName: "t"))
        XCTAssertEqual(try CommandParser.parse(line: "pullStream uri=RTSP://a%40b:P@cam:8554/Live/Ch1 localStreamName=c keepAlive=0 forceTcp=0"),
                       .pullStream(uri: "rtsp://a%40b:P@cam:8554/Live/Ch1", localStreamName: "c", options: PullOptions(keepAlive: false, forceTcp: false)))
        XCTAssertThrowsError(try CommandParser.parse(line: "pullStream uri=rtsp://cam/x localStreamName=c forceTcp=2"))
    }

    func testEMSBase64Form() throws {
        let params = Data("localStreamName=video1 pathtofile=/x type=ts overwrite=1".utf8).base64EncodedString()
        let target = "/record?params=" + params.replacingOccurrences(of: "+", with: "%2B").replacingOccurrences(of: "=", with: "%3D")
        guard case .record(let p) = try CommandParser.parse(httpTarget: target) else { return XCTFail() }
        XCTAssertEqual(p.localStreamName, "video1")
        XCTAssertEqual(p.pathToFile, "/x")
        XCTAssertEqual(p.type, .ts)
        XCTAssertTrue(p.overwrite)
        // Unescaped base64 in the query works too, as does the URL-safe alphabet without padding.
        XCTAssertEqual(try CommandParser.parse(httpTarget: "/record?params=" + params), .record(p))
        let urlSafe = params.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        XCTAssertEqual(try CommandParser.parse(httpTarget: "/RECORD?params=" + urlSafe), .record(p))
        XCTAssertEqual(try CommandParser.parse(httpTarget: "/removeConfig?params=" + Data("id=7".utf8).base64EncodedString()),
                       .removeConfig(id: 7))
        XCTAssertEqual(try CommandParser.parse(httpTarget: "/listConfig?params="), .listConfig)
    }

    func testPlainQueryForm() throws {
        let command = try CommandParser.parse(httpTarget: "/record?localStreamName=cam%201&pathToFile=%2Fmedia%2Fa%20b&type=flv&chunkLength=60")
        guard case .record(let p) = command else { return XCTFail() }
        XCTAssertEqual(p.localStreamName, "cam 1")
        XCTAssertEqual(p.pathToFile, "/media/a b")
        XCTAssertEqual(p.type, .flv)
        XCTAssertEqual(p.chunkLength, 60)
        XCTAssertEqual(try CommandParser.parse(httpTarget: "/listStreams"), .listStreams)
        XCTAssertEqual(try CommandParser.parse(httpTarget: "http://127.0.0.1:7777/version?"), .version)
        // + is a plus sign (RFC 3986), not a space.
        guard case .record(let q) = try CommandParser.parse(httpTarget: "/record?localStreamName=a+b&pathToFile=x") else { return XCTFail() }
        XCTAssertEqual(q.localStreamName, "a+b")
    }

    /// Each bad input fails with a description naming the problem.
    func testBadInputNamesTheProblem() {
        let cases: [(String, String)] = [
            ("recrod localStreamName=a pathToFile=b", "unknown command 'recrod'"),
            ("", "empty command"),
            ("record pathToFile=/x", "missing parameter localStreamName"),
            ("record localStreamName=a", "missing parameter pathToFile"),
            ("record localStreamName=a pathToFile=b type=avi", "invalid type 'avi'"),
            ("record localStreamName=a pathToFile=b chunkLength=-1", "invalid chunkLength '-1'"),
            ("record localStreamName=a pathToFile=b overwrite=2", "invalid overwrite '2'"),
            ("record localStreamName=a pathToFile=b colour=red", "unknown parameter colour"),
            ("record localStreamName=a pathToFile=b pathtofile=c", "given twice"),
            ("record localStreamName=a/b pathToFile=b", "invalid localStreamName"),
            ("record localStreamName", "expected key=value"),
            ("localStreamName=a", "expected a command name"),
            ("removeConfig", "missing parameter id"),
            ("removeConfig id=abc", "invalid id 'abc'"),
            ("removeConfig id=0", "invalid id '0'"),
            ("listConfig id=1", "unknown parameter id"),
            ("pullStream uri=http://x:1 localStreamName=a", "invalid uri"),
            ("pullStream uri=udp://host localStreamName=a", "invalid uri"),
            ("pullStream uri=udp://host:70000 localStreamName=a", "invalid uri"),
            ("pullStream uri=udp://host:9000", "missing parameter localStreamName"),
        ]
        for (line, expected) in cases {
            XCTAssertThrowsError(try CommandParser.parse(line: line), line) { error in
                XCTAssertTrue("\(error)".contains(expected), "'\(line)': '\(error)' does not contain '\(expected)'")
            }
        }
        let targets: [(String, String)] = [
            ("/record?params=%%%%", "bad percent-encoding"),
            ("/record?params=!!not*base64!!", "params is not valid base64"),
            ("/record?params=QQ", "expected key=value"),                  // "A": base64, but no key=value
            ("/record?params=" + Data([0xFF, 0xFE, 0x20]).base64EncodedString(), "not decode to UTF-8"),
            ("/", "no command"),
            ("record", "must start with '/'"),
            ("/nosuch?x=1", "unknown command 'nosuch'"),
            ("/record?localStreamName=a", "missing parameter pathToFile"),
        ]
        for (target, expected) in targets {
            XCTAssertThrowsError(try CommandParser.parse(httpTarget: target), target) { error in
                XCTAssertTrue("\(error)".contains(expected), "'\(target)': '\(error)' does not contain '\(expected)'")
            }
        }
    }
}

extension CommandParserTests {
    /// A query may hold "://" (the pullStream uri): it is not an absolute-form target.
    func testPullStreamURIInAPlainQuery() throws {
        let command = try CommandParser.parse(httpTarget: "/pullStream?uri=tcp://127.0.0.1:19000&localStreamName=cam")
        XCTAssertEqual(command, .pullStream(uri: "tcp://127.0.0.1:19000", localStreamName: "cam"))
    }

    func testPullControlCommands() throws {
        XCTAssertEqual(try CommandParser.parse(line: "listPullPushConfig"), .listPullPushConfig)
        XCTAssertEqual(try CommandParser.parse(line: "removePullPushConfig id=3"), .removePullPushConfig(.configId(3)))
        XCTAssertEqual(try CommandParser.parse(httpTarget: "/removePullPushConfig?localStreamName=cam"),
                       .removePullPushConfig(.localStreamName("cam")))
        XCTAssertEqual(try CommandParser.parse(line: "shutdownStream localStreamName=cam"),
                       .shutdownStream(localStreamName: "cam", permanently: true))
        XCTAssertEqual(try CommandParser.parse(line: "shutdownstream localstreamname=cam permanently=0"),
                       .shutdownStream(localStreamName: "cam", permanently: false))
        for bad in ["removePullPushConfig", "removePullPushConfig id=0", "removePullPushConfig id=1 localStreamName=cam",
                    "shutdownStream", "shutdownStream localStreamName=cam permanently=2", "listPullPushConfig id=1"] {
            XCTAssertThrowsError(try CommandParser.parse(line: bad), bad)
        }
    }
}
