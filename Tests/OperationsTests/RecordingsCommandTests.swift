import Foundation
import Operations
import Recorder
import XCTest

/// The operations side of the API: listRecordings and deleteRecording parsed from a line and
/// from an HTTP target, answered in the EMS shape, deleteRecording kept inside the allowed
/// roots; the retention settings from flags, the config file and `record`.
final class RecordingsCommandTests: XCTestCase {
    func testListRecordingsParametersFromALineAndAnHTTPTarget() throws {
        var expected = RecordingQuery()
        expected.localStreamName = "cam1"
        expected.startTime = 1_796_000_000.5
        expected.endTime = 1_796_003_600
        expected.states = [.finalized, .recovered]
        expected.offset = 20
        expected.limit = 10
        XCTAssertEqual(try CommandParser.parse(line: "listRecordings localStreamName=cam1 start=1796000000.5 endTime=1796003600 state=finalized,recovered offset=20 limit=10"),
                       .listRecordings(expected))
        XCTAssertEqual(try CommandParser.parse(httpTarget: "/listRecordings?localStreamName=cam1&startTime=1796000000.5&end=1796003600&state=recovered,finalized&offset=20&limit=10"),
                       .listRecordings(expected))
        XCTAssertEqual(try CommandParser.parse(line: "listrecordings"), .listRecordings(RecordingQuery()))
        XCTAssertEqual(try CommandParser.parse(httpTarget: "/deleteRecording?file=/srv/media/cam1_part0001.mp4"),
                       .deleteRecording(file: "/srv/media/cam1_part0001.mp4"))
    }

    func testBadParametersAreRefusedByName() {
        for (line, expected) in [
            ("listRecordings limit=0", "listRecordings: invalid limit '0'"),
            ("listRecordings limit=100001", "listRecordings: invalid limit '100001'"),
            ("listRecordings start=yesterday", "listRecordings: invalid startTime 'yesterday'"),
            ("listRecordings state=lost", "listRecordings: invalid state 'lost'"),
            ("listRecordings stream=cam1", "listRecordings: unknown parameter stream"),
            ("deleteRecording", "deleteRecording: missing parameter file"),
            ("deleteRecording path=/x", "deleteRecording: unknown parameter path"),
        ] {
            XCTAssertThrowsError(try CommandParser.parse(line: line), line) { error in
                XCTAssertTrue((error as? CommandError)?.description.hasPrefix(expected) ?? false, "\(line): \(error)")
            }
        }
    }

    func testAnswersInTheEMSShapeAndDeletesOnlyInsideTheRoots() throws {
        let control = CatalogControl()
        let dispatcher = CommandDispatcher(control: control, paths: PathPolicy(mediaDirectory: "/srv/media"))
        let listed = dispatcher.answer(line: "listRecordings localStreamName=cam1 limit=1")
        XCTAssertEqual(listed.text, #"{"data":[{"bytes":1234,"configId":3,"duration":4.5,"file":"/srv/media/cam1_part0000.mp4","localStreamName":"cam1","startTime":1796283107.25,"startTimeISO":"2026-12-03T07:31:47.250Z","state":"finalized","tracks":[{"codec":"h264","height":360,"width":640},{"channels":2,"codec":"aac","sampleRate":48000}]}],"description":"Recordings 1-1 of 2","status":"SUCCESS"}"#)

        let deleted = dispatcher.answer(httpTarget: "/deleteRecording?file=cam1_part0000.mp4")
        XCTAssertTrue(deleted.isSuccess, deleted.text)
        XCTAssertEqual(control.deleted, ["/srv/media/cam1_part0000.mp4"], "a relative file resolves in the media folder")
        for outside in ["/etc/passwd", "../etc/passwd", "/srv/media"] {
            let refused = dispatcher.answer(line: "deleteRecording file=\(outside)")
            XCTAssertFalse(refused.isSuccess, outside)
            XCTAssertTrue(refused.description.hasPrefix("deleteRecording: file '\(outside)'"), refused.description)
        }
        XCTAssertEqual(control.deleted.count, 1, "nothing outside the roots reached the engine")
        XCTAssertEqual(dispatcher.answer(line: "deleteRecording file=/srv/media/live.mp4").description,
                       "deleteRecording: /srv/media/live.mp4 is being recorded")
    }

    func testRetentionSettingsFromFlagsTheConfigFileAndRecord() throws {
        let file = "retention-age = 86400\nmin-free-bytes=5000000000\n"
        guard case .run(let c) = try ServerConfiguration.parse(arguments: ["--config", "f", "--retention-bytes", "6000000", "--retention-interval", "5"],
                                                               executablePath: "/opt/recorder", readFile: { _ in file }) else { return XCTFail() }
        XCTAssertEqual(c.retentionAge, 86400)
        XCTAssertEqual(c.retentionBytes, 6_000_000)
        XCTAssertEqual(c.minFreeBytes, 5_000_000_000)
        XCTAssertEqual(c.retentionInterval, .seconds(5))
        XCTAssertThrowsError(try ServerConfiguration.parse(arguments: ["--retention-bytes", "-1"], executablePath: "/x"))
        XCTAssertTrue(ServerConfiguration.helpText.contains("--min-free-bytes BYTES"))

        let parameters = try RecordParameters(pairs: [("localStreamName", "cam1"), ("pathToFile", "cam1"), ("retentionAge", "3600"), ("retentionBytes", "1000000")])
        XCTAssertEqual(parameters.retentionAge, 3600)
        XCTAssertEqual(parameters.retentionBytes, 1_000_000)
        XCTAssertEqual(try RecordParameters(pairs: parameters.pairs), parameters, "the stored form reads back the same")
        XCTAssertThrowsError(try RecordParameters(pairs: [("localStreamName", "c"), ("pathToFile", "c"), ("retentionAge", "0")]))
    }
}

/// An engine stand-in with a catalog: two recordings of cam1, one of them being written.
private final class CatalogControl: RecorderControl, RecordingsControl, @unchecked Sendable {
    private let lock = NSLock()
    private var removed: [String] = []
    var deleted: [String] { lock.withLock { removed } }

    private let entries = [
        RecordingEntry(file: "/srv/media/cam1_part0000.mp4", localStreamName: "cam1", configId: 3, startTime: 1_796_283_107.25,
                       duration: 4.5, bytes: 1234,
                       tracks: [RecordingTrack(codec: "h264", width: 640, height: 360), RecordingTrack(codec: "aac", sampleRate: 48000, channels: 2)],
                       state: .finalized),
        RecordingEntry(file: "/srv/media/live.mp4", localStreamName: "cam1", configId: 3, startTime: 1_796_283_111, state: .recording),
    ]

    func listRecordings(_ query: RecordingQuery) throws -> RecordingPage {
        let matches = entries.filter { query.localStreamName == nil || $0.localStreamName == query.localStreamName }
        return RecordingPage(entries: Array(matches.dropFirst(query.offset).prefix(query.limit)), total: matches.count,
                             offset: query.offset, limit: query.limit)
    }

    func deleteRecording(file: String) throws -> RecordingEntry {
        guard let entry = entries.first(where: { $0.file == file }), entry.state.isComplete else {
            throw RecorderControlError("\(file) is being recorded")
        }
        lock.withLock { removed.append(file) }
        return entry
    }

    func record(_ parameters: RecordParameters) throws -> RecordConfigSnapshot { throw RecorderControlError("unused") }
    func removeConfig(id: Int) throws -> RecordConfigSnapshot { throw RecorderControlError("unused") }
    func listConfigs() -> [RecordConfigSnapshot] { [] }
    func listStreams() -> [StreamSnapshot] { [] }
    func pullStream(uri: String, localStreamName: String) throws -> StreamSnapshot { throw RecorderControlError("unused") }
    func shutdown() {}
}
