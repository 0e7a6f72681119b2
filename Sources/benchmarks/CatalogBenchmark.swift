import Foundation
import MediaCore
import Operations
import Recorder

/// The recordings index at scale: a catalog of N recordings (default 100,000: 10 cameras of
/// 2-second chunks for about 5.5 hours, or a year of one camera's 5-minute chunks), then
///
/// - listRecordings through the API's own dispatcher (parse, query, JSON text): the first
///   page (1000), one camera over one hour, and a page deep in the list;
/// - reopening the catalog (journal read, compacted);
/// - a retention check with nothing to delete, and one that deletes 1% (bytes over the cap).
///
/// Each figure is the median of `runs`. No directory is walked: retention reads the catalog.
struct CatalogBenchmark {
    let directory: String
    let count: Int
    let runs: Int

    func run() throws {
        let state = directory + "/state"
        let media = directory + "/media"
        try FileSystem.createDirectories(media)
        let cameras = 10
        let chunk = 2.0
        let start = 1_796_000_000.0
        let tracks = [RecordingTrack(codec: "h264", width: 1920, height: 1080), RecordingTrack(codec: "aac", sampleRate: 48000, channels: 2)]

        var catalog = try RecordingCatalog(directory: state)
        let filled = time {
            for n in 0..<count {
                let camera = n % cameras
                let index = n / cameras
                catalog.upsert(RecordingEntry(file: "\(media)/cam\(camera)/cam\(camera)_part\(index).mp4", localStreamName: "cam\(camera)",
                                              configId: camera + 1, startTime: start + Double(index) * chunk, duration: chunk,
                                              bytes: 400_000, tracks: tracks, state: .finalized))
            }
            catalog.sync()
        }
        print(String(format: "catalog: %d recordings entered in %.3f s (%.1f µs each, journal appended)", count, filled, filled / Double(count) * 1e6))
        let journalBytes = FileSystem.fileSize(state + "/" + RecordingCatalog.fileName) ?? 0
        let reopen = median { catalog = try! RecordingCatalog(directory: state) }
        print(String(format: "catalog: reopened (read %.1f MiB journal, compacted) in %.3f s", Double(journalBytes) / 1048576, reopen))

        let engine = RecorderEngine(options: .init(mp4writerPath: "/nonexistent"), store: nil)
        let operations = RecorderOperations(catalog: catalog, policy: RetentionPolicy(), roots: [media], version: "benchmark")
        engine.operations = operations
        let dispatcher = CommandDispatcher(control: engine, paths: PathPolicy(mediaDirectory: media))
        let hour = start + Double(count / cameras) * chunk / 2
        for (label, line) in [
            ("first page (1000)", "listRecordings"),
            ("one camera, one hour", "listRecordings localStreamName=cam3 startTime=\(Int(hour)) endTime=\(Int(hour) + 3600)"),
            ("page at offset 90000 (1000)", "listRecordings offset=90000"),
            ("all \(count) at once", "listRecordings limit=\(count)"),
        ] {
            var answer = CommandAnswer.fail("")
            let seconds = median { answer = dispatcher.answer(line: line) }
            guard answer.isSuccess, case .array(let items) = answer.data else { print("listRecordings failed: \(answer.text)"); return }
            print(String(format: "listRecordings %@: %d entries, %@, %.2f ms (%.1f KiB of JSON)", label, items.count, answer.description,
                         seconds * 1000, Double(answer.text.utf8.count) / 1024))
        }

        var page = RecordingPage(entries: [], total: 0, offset: 0, limit: 0)
        let bare = median { page = catalog.query(RecordingQuery()) }
        print(String(format: "catalog query alone, first page: %d of %d in %.2f ms (the rest is JSON text)", page.entries.count, page.total, bare * 1000))

        // Retention over the same catalog (fresh copies: a check that deletes changes it).
        let quiet = RetentionEnforcer(catalog: catalog, policy: RetentionPolicy(maxAgeSeconds: 1e9, maxBytes: UInt64.max, minFreeBytes: 1),
                                      roots: [media])
        var plan = RetentionPlan()
        let idle = median { plan = quiet.plan() }
        print(String(format: "retention check, nothing to delete: %.3f ms, %d entr%@ visited, 1 statvfs, no directory walk",
                     idle * 1000, plan.visited, plan.visited == 1 ? "y" : "ies"))
        let total = catalog.byteTotals().all
        let cap = total - total / 100
        let pruning = RetentionEnforcer(catalog: catalog, policy: RetentionPolicy(maxBytes: cap), roots: [media])
        var outcome: RetentionEnforcer.Outcome?
        let pruned = time { outcome = pruning.enforce() }
        print(String(format: "retention check deleting 1%% (bytes over the cap): %d deleted in %.3f ms (%.1f µs each: unlink, catalog, journal), %d visited",
                     outcome?.deleted.count ?? 0, pruned * 1000, pruned / Double(max(1, outcome?.deleted.count ?? 1)) * 1e6,
                     outcome?.plan.visited ?? 0))
    }

    private func time(_ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        let elapsed = clock.measure(body)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private func median(_ body: () -> Void) -> Double {
        (0..<max(1, runs)).map { _ in time(body) }.sorted()[max(1, runs) / 2]
    }
}
