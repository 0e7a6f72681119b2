import Foundation
import MediaCore
import Operations
import TestSupport
import XCTest

/// The catalog: entries survive a reopen (the journal replayed and compacted), a cut last line
/// costs only itself, queries filter by stream, configId, time range and state and page in
/// start-time order, and a rebuild reads what the fixture files say about themselves.
final class RecordingCatalogTests: XCTestCase {
    private func entry(_ n: Int, stream: String = "cam1", configId: Int? = 1, start: Double? = nil, duration: Double = 10,
                       bytes: UInt64 = 1000, state: RecordingState = .finalized) -> RecordingEntry {
        RecordingEntry(file: "/media/\(stream)_part\(n).mp4", localStreamName: stream, configId: configId,
                       startTime: start ?? 1_000_000 + Double(n) * 10, duration: duration, bytes: bytes,
                       tracks: [RecordingTrack(codec: "h264", width: 640, height: 480)], state: state)
    }

    func testEntriesSurviveAReopenAndTheJournalIsCompacted() throws {
        let dir = TestPaths.temporaryDirectory("catalog")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let catalog = try RecordingCatalog(directory: dir)
            XCTAssertTrue(catalog.journalWasMissing)
            for n in 0..<5 { catalog.upsert(entry(n, state: .recording)) }
            for n in 0..<5 { catalog.update(entry(n).file) { $0.state = .finalized; $0.bytes = 2000 } }
            catalog.markDeleted(entry(0).file)
            catalog.sync()
        }
        let lines = try String(contentsOfFile: dir + "/" + RecordingCatalog.fileName, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 11, "5 opened, 5 finalized, 1 deleted: appended, not rewritten")

        let reopened = try RecordingCatalog(directory: dir)
        XCTAssertFalse(reopened.journalWasMissing)
        XCTAssertEqual(reopened.allEntries().map(\.file), (1..<5).map { entry($0).file })
        XCTAssertEqual(reopened.entry(entry(3).file)?.state, .finalized)
        XCTAssertEqual(reopened.entry(entry(3).file)?.bytes, 2000)
        XCTAssertEqual(reopened.byteTotals().all, 8000)
        let compacted = try String(contentsOfFile: dir + "/" + RecordingCatalog.fileName, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(compacted.count, 4, "compacted at start: one line per recording")
    }

    func testAJournalThatOutgrowsItsEntriesIsCompactedWhileRunning() throws {
        let dir = TestPaths.temporaryDirectory("catalog-grow")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let catalog = try RecordingCatalog(directory: dir, compactionSlack: 10)
        for n in 0..<30 {
            catalog.upsert(entry(n, state: .recording))
            catalog.update(entry(n).file) { $0.state = .finalized }
            if n < 25 { catalog.markDeleted(entry(n).file) }
        }
        let path = dir + "/" + RecordingCatalog.fileName
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count, 85)
        catalog.sync()
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count, 5, "one line per live recording")
        catalog.upsert(entry(40))
        XCTAssertEqual(try RecordingCatalog(directory: dir).allEntries().map(\.file), (25..<30).map { entry($0).file } + [entry(40).file])
    }

    func testACutLastLineCostsOnlyItself() throws {
        let dir = TestPaths.temporaryDirectory("catalog-cut")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let catalog = try RecordingCatalog(directory: dir)
            for n in 0..<3 { catalog.upsert(entry(n)) }
            catalog.sync()
        }
        let path = dir + "/" + RecordingCatalog.fileName
        var bytes = try FileSystem.readFile(path)
        bytes.removeLast(20)
        try FileSystem.writeAtomically(bytes, to: path)
        let lines = LogLines()
        let reopened = try RecordingCatalog(directory: dir, log: { lines.append($0) })
        XCTAssertEqual(reopened.allEntries().map(\.file), [entry(0).file, entry(1).file])
        XCTAssertTrue(lines.all.contains { $0.contains("skipped 1 unreadable line") }, lines.all.joined(separator: "\n"))
    }

    func testQueriesFilterAndPageInStartTimeOrder() throws {
        let dir = TestPaths.temporaryDirectory("catalog-query")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let catalog = try RecordingCatalog(directory: dir)
        // Inserted out of order: the index keeps start-time order.
        for n in [3, 0, 4, 1, 2] { catalog.upsert(entry(n)) }
        for n in 0..<3 { catalog.upsert(entry(n, stream: "cam2", configId: 2)) }
        catalog.upsert(entry(9, state: .recording))

        var query = RecordingQuery()
        query.localStreamName = "cam1"
        XCTAssertEqual(catalog.query(query).entries.map(\.file), [0, 1, 2, 3, 4, 9].map { entry($0).file })

        query.states = [.recording]
        XCTAssertEqual(catalog.query(query).entries.map(\.file), [entry(9).file])

        query = RecordingQuery()
        query.configId = 2
        XCTAssertEqual(catalog.query(query).total, 3)

        // [1_000_015, 1_000_025]: part1 (10...20 s) and part2 (20...30 s) of each stream overlap it.
        query = RecordingQuery()
        query.startTime = 1_000_015
        query.endTime = 1_000_025
        XCTAssertEqual(Set(catalog.query(query).entries.map(\.file)),
                       Set([entry(1).file, entry(2).file, entry(1, stream: "cam2").file, entry(2, stream: "cam2").file]))

        // The same range for one stream, paged: the index answers it without a scan.
        query.localStreamName = "cam2"
        XCTAssertEqual(catalog.query(query).entries.map(\.file), [entry(1, stream: "cam2").file, entry(2, stream: "cam2").file])
        query.offset = 1
        XCTAssertEqual(catalog.query(query).entries.map(\.file), [entry(2, stream: "cam2").file])
        XCTAssertEqual(catalog.query(query).total, 2)

        query = RecordingQuery()
        query.offset = 2
        query.limit = 3
        let page = catalog.query(query)
        XCTAssertEqual(page.total, 9)
        XCTAssertEqual(page.entries.count, 3)
        XCTAssertEqual(page.entries.map(\.startTime), page.entries.map(\.startTime).sorted())

        catalog.markDeleted(entry(0).file)
        XCTAssertEqual(catalog.query(RecordingQuery()).total, 8, "deleted recordings are not listed by default")
        query = RecordingQuery()
        query.states = [.deleted]
        XCTAssertEqual(catalog.query(query).entries.map(\.file), [entry(0).file])
    }

    func testOnlyCompleteRecordingsAreDeleted() throws {
        let dir = TestPaths.temporaryDirectory("catalog-delete")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let catalog = try RecordingCatalog(directory: dir)
        catalog.upsert(entry(0, state: .recording))
        catalog.upsert(entry(1, state: .finalizing))
        catalog.upsert(entry(2, state: .recovered))
        var removed: [String] = []
        for n in 0..<2 {
            XCTAssertThrowsError(try catalog.deleteComplete(entry(n).file) { removed.append($0) })
        }
        XCTAssertThrowsError(try catalog.deleteComplete("/media/unknown.mp4") { removed.append($0) })
        XCTAssertNoThrow(try catalog.deleteComplete(entry(2).file) { removed.append($0) })
        XCTAssertEqual(removed, [entry(2).file])
        XCTAssertEqual(catalog.count, 2)
    }

    func testARebuildReadsTheFilesTracksAndDurations() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("catalog-rebuild")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let media = dir + "/media"
        try FileManager.default.createDirectory(atPath: media + "/20261203", withIntermediateDirectories: true)
        for (fixture, name) in [("mp4/h264_aac.mp4", "cam1_part0000.mp4"), ("flv/h264_aac.flv", "20261203/cam2.flv"),
                                ("ts/h264_aac.ts", "cam3_1.ts")] {
            try FileManager.default.copyItem(atPath: TestPaths.fixture(fixture), toPath: media + "/" + name)
        }
        // A staging set is not a recording yet, and a text file is not one at all.
        FileManager.default.createFile(atPath: media + "/live.mp4.mdat", contents: Data([0]))
        FileManager.default.createFile(atPath: media + "/live.mp4", contents: Data([0]))
        FileManager.default.createFile(atPath: media + "/notes.txt", contents: Data("x".utf8))

        let catalog = try RecordingCatalog(directory: dir + "/state")
        let result = CatalogRebuilder(roots: [media]) { file in file.hasSuffix("cam2.flv") ? ("camera-two", 7) : nil }.rebuild(into: catalog)
        XCTAssertEqual(result.found, 3, "\(result.skipped)")
        let byName = Dictionary(uniqueKeysWithValues: catalog.allEntries().map { (FileSystem.baseName($0.file), $0) })
        XCTAssertEqual(Set(byName.keys), ["cam1_part0000.mp4", "cam2.flv", "cam3_1.ts"])
        XCTAssertEqual(byName["cam1_part0000.mp4"]?.localStreamName, "cam1")
        XCTAssertEqual(byName["cam2.flv"]?.localStreamName, "camera-two")
        XCTAssertEqual(byName["cam2.flv"]?.configId, 7)
        XCTAssertEqual(byName["cam3_1.ts"]?.localStreamName, "cam3")
        for entry in byName.values {
            XCTAssertEqual(entry.state, .recovered)
            XCTAssertEqual(entry.bytes, UInt64(FileSystem.fileSize(entry.file)!))
            // What ffprobe says of the same file: codecs, size, rate, duration.
            let probed = try FFmpegCheck.streams(entry.file)
            XCTAssertEqual(entry.tracks.map(\.codec).sorted(), probed.map { $0.codec == "hevc" ? "h265" : $0.codec }.sorted(), entry.file)
            let video = entry.tracks.first { $0.width != nil }
            XCTAssertEqual(video?.width, 320, entry.file)
            XCTAssertEqual(video?.height, 240, entry.file)
            let format = try ExternalTool.run("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", entry.file])
            let probedDuration = Double(format.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? .nan
            XCTAssertEqual(entry.duration, probedDuration, accuracy: 0.1, "\(entry.file): duration as ffprobe reads it")
        }
    }
}

/// Log lines gathered from a @Sendable closure.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
