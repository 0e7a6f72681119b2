import Foundation
import MediaCore

/// The catalog's file: `STATE/recordings.jsonl`, one JSON object per line, each the whole
/// entry of one file as it is after a change (the last line for a file wins; state `deleted`
/// removes it). Appending a line is the only write while the recorder runs, so a crash can
/// only cut the last line, which loading skips.
///
/// At each start, and while running once the superseded lines far outnumber the live ones,
/// the journal is compacted: the entries still alive are written to a new file that replaces
/// the old one atomically (`FileSystem.writeAtomically`), so the file holds one line per
/// recording on disk plus the recent changes.
final class CatalogJournal {
    let path: String
    private var descriptor: FileDescriptor?
    /// Lines in the file now: one per entry after a rewrite, one more per append.
    private(set) var lineCount = 0

    init(path: String) {
        self.path = path
    }

    /// What a journal holds: the live entries in file order, and how many lines could not be
    /// read. nil when there is no journal.
    static func load(_ path: String) throws(CatalogError) -> (entries: [RecordingEntry], unreadableLines: Int)? {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readFile(path)
        } catch let error where error.isNotFound {
            return nil
        } catch {
            throw CatalogError("cannot read the recordings catalog: \(error)")
        }
        let decoder = JSONDecoder()
        // The hand-written reader first (fast); JSONDecoder for a line it does not take.
        let decoded = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).map { line in
            CatalogLineCodec.decode(line) ?? (try? decoder.decode(RecordingEntry.self, from: Data(line)))
        }
        var latest: [String: RecordingEntry] = [:]
        var order: [String] = []
        var unreadable = 0
        for entry in decoded {
            guard let entry else {
                unreadable += 1
                continue
            }
            if latest[entry.file] == nil { order.append(entry.file) }
            latest[entry.file] = entry
        }
        let alive = order.compactMap { latest[$0] }.filter { $0.state != .deleted }
        return (alive, unreadable)
    }

    /// Replaces the file with one line per entry and opens it for appending.
    func rewrite(_ entries: [RecordingEntry]) throws(CatalogError) {
        close()
        var bytes: [UInt8] = []
        for entry in entries { bytes += line(entry) }
        do {
            try FileSystem.writeAtomically(bytes, to: path)
            descriptor = try FileDescriptor.open(path, [.writeOnly, .append, .create])
            lineCount = entries.count
        } catch {
            throw CatalogError("cannot write the recordings catalog: \(error)")
        }
    }

    /// Appends the entry's current form. Not synced here: `sync()` runs with each retention
    /// check; a crash of the process loses nothing (the kernel has the bytes), a power cut at
    /// most the last seconds, which the start-up reconciliation repairs.
    func append(_ entry: RecordingEntry) throws(CatalogError) {
        guard let descriptor else { throw CatalogError("\(path): the recordings catalog is not open") }
        do {
            try descriptor.writeAll(line(entry))
            lineCount += 1
        } catch {
            throw CatalogError("cannot append to the recordings catalog: \(error)")
        }
    }

    func sync() throws(CatalogError) {
        do {
            try descriptor?.dataSync()
        } catch {
            throw CatalogError("cannot sync the recordings catalog: \(error)")
        }
    }

    func close() {
        try? descriptor?.close()
        descriptor = nil
    }

    private func line(_ entry: RecordingEntry) -> [UInt8] {
        CatalogLineCodec.encode(entry) + [UInt8(ascii: "\n")]
    }
}
