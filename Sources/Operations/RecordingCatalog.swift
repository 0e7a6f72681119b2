import Foundation
import MediaCore

/// Every recording the recorder wrote, indexed in memory by file and by start time, persisted
/// in the state folder (`CatalogJournal`). Answers listRecordings without touching the disk,
/// and gives retention its candidates oldest first and its byte totals without a walk.
///
/// `journalWasMissing` tells the owner that there was no journal at start: it then rebuilds
/// the catalog from the files (`CatalogRebuilder`).
public final class RecordingCatalog: @unchecked Sendable {
    public static let fileName = "recordings.jsonl"
    /// Deleted entries listRecordings can still show (state=deleted), newest kept: enough
    /// for a day of 10-second chunks of a camera, bounded whatever the uptime.
    public static let recentlyDeletedLimit = 10_000

    public let path: String
    public let journalWasMissing: Bool
    private let journal: CatalogJournal
    private let log: @Sendable (String) -> Void
    private let lock = NSLock()
    private var byFile: [String: RecordingEntry] = [:]
    /// Live entries sorted by (startTime, file): all of them, and per stream.
    private var order: [OrderKey] = []
    private var orderByStream: [String: [OrderKey]] = [:]
    private var recentlyDeleted: [RecordingEntry] = []
    /// The longest duration seen: a time-range query starts its scan this far back.
    private var longestDuration = 0.0
    private var totalBytes: UInt64 = 0
    private var bytesByConfig: [Int: UInt64] = [:]
    /// Journal writes that failed (the index stays right in memory; the owner reports it).
    public private(set) var writeFailures = 0
    /// The journal is compacted while running when it holds more than 4 lines per live entry
    /// plus this many: a recorder running for months keeps a journal of its recordings' size.
    private let compactionSlack: Int

    private struct OrderKey: Comparable {
        let start: Double
        let file: String
        static func < (a: OrderKey, b: OrderKey) -> Bool { a.start != b.start ? a.start < b.start : a.file < b.file }
    }

    /// Opens `directory/recordings.jsonl` (the folder is created), loads and compacts it.
    public init(directory: String, compactionSlack: Int = 10_000,
                log: @escaping @Sendable (String) -> Void = { _ in }) throws(CatalogError) {
        self.compactionSlack = compactionSlack
        do {
            try FileSystem.createDirectories(directory)
        } catch {
            throw CatalogError("cannot create the state folder: \(error)")
        }
        path = directory + "/" + Self.fileName
        self.log = log
        journal = CatalogJournal(path: path)
        let loaded = try CatalogJournal.load(path)
        journalWasMissing = loaded == nil
        if let loaded {
            if loaded.unreadableLines > 0 {
                log("recordings catalog: \(path): skipped \(loaded.unreadableLines) unreadable line(s) (a line cut by a crash is one)")
            }
            for entry in loaded.entries { insert(entry) }
        }
        try journal.rewrite(order.map { byFile[$0.file]! })
    }

    deinit { journal.close() }

    // MARK: Changes

    /// Adds the entry, or replaces the one with its file (a file written again, overwrite=1).
    public func upsert(_ entry: RecordingEntry) {
        lock.withLock {
            if entry.state == .deleted {
                if let old = remove(entry.file) { keepDeleted(old, as: entry) }
            } else {
                insert(entry)
            }
            persist(entry)
        }
    }

    /// Changes the entry of `file`; nil (and nothing written) when there is none.
    @discardableResult
    public func update(_ file: String, _ change: (inout RecordingEntry) -> Void) -> RecordingEntry? {
        lock.withLock {
            guard var entry = byFile[file] else { return nil }
            change(&entry)
            entry.file = file
            if entry.state == .deleted {
                if let old = remove(file) { keepDeleted(old, as: entry) }
            } else {
                insert(entry)
            }
            persist(entry)
            return entry
        }
    }

    /// Marks the file's recording deleted; returns it as it was, nil when unknown.
    @discardableResult
    public func markDeleted(_ file: String) -> RecordingEntry? {
        lock.withLock {
            guard let old = remove(file) else { return nil }
            var gone = old
            gone.state = .deleted
            keepDeleted(old, as: gone)
            persist(gone)
            return old
        }
    }

    /// Deletes the file of a complete recording and marks it deleted (returned so), both under the
    /// catalog's lock, so that a recording that started again under the same name (overwrite=1)
    /// in the meantime is never the one removed. Throws `CatalogError` when the file is not a
    /// complete recording of the catalog, or cannot be removed (then nothing changes).
    @discardableResult
    public func deleteComplete(_ file: String, remove: (String) throws -> Void) throws(CatalogError) -> RecordingEntry {
        lock.lock()
        defer { lock.unlock() }
        guard let entry = byFile[file] else { throw CatalogError("\(file) is not a recording in the catalog") }
        guard entry.state.isComplete else {
            throw CatalogError("\(file) is \(entry.state == .recording ? "being recorded" : "being finalized"): only complete recordings are deleted")
        }
        do {
            try remove(file)
        } catch {
            throw CatalogError("cannot delete \(file): \(error)")
        }
        _ = self.remove(file)
        var gone = entry
        gone.state = .deleted
        keepDeleted(entry, as: gone)
        persist(gone)
        return gone
    }

    /// Makes the journal durable, compacting it first when it has grown far past the live
    /// entries (a retention check calls it; so does shutdown). A compaction holds the lock
    /// while it writes: about a second per 100,000 recordings, every few hundred thousand
    /// changes.
    public func sync() {
        // Under the lock: the descriptor a rewrite replaces is the one appends and syncs use.
        lock.lock()
        defer { lock.unlock() }
        do {
            if journal.lineCount > 4 * byFile.count + compactionSlack {
                try journal.rewrite(order.map { byFile[$0.file]! })
            }
            try journal.sync()
        } catch {
            writeFailures += 1
            log("recordings catalog: \(error)")
        }
    }

    // MARK: Questions

    public func entry(_ file: String) -> RecordingEntry? {
        lock.withLock { byFile[file] }
    }

    /// Live (not deleted) recordings.
    public var count: Int { lock.withLock { byFile.count } }

    /// Bytes of the live recordings, all and per config.
    public func byteTotals() -> (all: UInt64, byConfig: [Int: UInt64]) {
        lock.withLock { (totalBytes, bytesByConfig) }
    }

    /// The matches of `query`, in start-time order, one page of them. Filters by stream and
    /// time range cost a binary search, not a scan; only configId and state filters (and
    /// recordings that start before `startTime` but may reach it) look at entries one by one.
    public func query(_ query: RecordingQuery) -> RecordingPage {
        let offset = max(0, query.offset)
        let limit = min(max(0, query.limit), RecordingQuery.maxLimit)
        return lock.withLock {
            let keys = query.localStreamName.map { orderByStream[$0] ?? [] } ?? order
            // [low, high): the entries that start no later than endTime and no earlier than
            // startTime - longestDuration (before that, none can reach startTime).
            let high = query.endTime.map { end in Self.boundary(keys) { $0.start <= end } } ?? keys.count
            let reach = longestDuration
            let low = min(high, query.startTime.map { start in Self.boundary(keys) { $0.start < start - reach } } ?? 0)
            var page: [RecordingEntry] = []
            if query.configId == nil && query.states == nil {
                // From `sure` on every entry matches; before it, each is checked.
                let sure = min(high, max(low, query.startTime.map { start in Self.boundary(keys) { $0.start < start } } ?? low))
                let early = (low..<sure).filter { query.matches(byFile[keys[$0].file]!) }
                let total = early.count + (high - sure)
                for k in offset..<max(offset, min(total, offset + limit)) {
                    page.append(byFile[keys[k < early.count ? early[k] : sure + k - early.count].file]!)
                }
                return RecordingPage(entries: page, total: total, offset: offset, limit: limit)
            }
            var total = 0
            func take(_ entry: RecordingEntry) {
                guard query.matches(entry) else { return }
                if total >= offset && page.count < limit { page.append(entry) }
                total += 1
            }
            if query.states.map({ !$0.subtracting([.deleted]).isEmpty }) ?? true {
                for key in keys[low..<high] { take(byFile[key.file]!) }
            }
            if query.states?.contains(.deleted) == true {
                for entry in recentlyDeleted.sorted(by: { ($0.startTime, $0.file) < ($1.startTime, $1.file) }) { take(entry) }
            }
            return RecordingPage(entries: page, total: total, offset: offset, limit: limit)
        }
    }

    /// Visits live entries oldest first until `visit` returns false. `visit` runs under the
    /// catalog's lock: it must not call back into the catalog.
    public func visitOldestFirst(_ visit: (RecordingEntry) -> Bool) {
        lock.withLock {
            for key in order {
                guard visit(byFile[key.file]!) else { return }
            }
        }
    }

    /// Every live entry, oldest first.
    public func allEntries() -> [RecordingEntry] {
        lock.withLock { order.map { byFile[$0.file]! } }
    }

    // MARK: Index (caller holds the lock)

    private func insert(_ entry: RecordingEntry) {
        _ = remove(entry.file)
        byFile[entry.file] = entry
        let key = OrderKey(start: entry.startTime, file: entry.file)
        Self.insert(key, into: &order)
        Self.insert(key, into: &orderByStream[entry.localStreamName, default: []])
        longestDuration = max(longestDuration, entry.duration)
        totalBytes += entry.bytes
        if let id = entry.configId { bytesByConfig[id, default: 0] += entry.bytes }
    }

    private func remove(_ file: String) -> RecordingEntry? {
        guard let old = byFile.removeValue(forKey: file) else { return nil }
        let key = OrderKey(start: old.startTime, file: file)
        Self.remove(key, from: &order)
        Self.remove(key, from: &orderByStream[old.localStreamName, default: []])
        if orderByStream[old.localStreamName]?.isEmpty == true { orderByStream[old.localStreamName] = nil }
        totalBytes -= min(totalBytes, old.bytes)
        if let id = old.configId {
            let left = (bytesByConfig[id] ?? 0) - min(bytesByConfig[id] ?? 0, old.bytes)
            bytesByConfig[id] = left == 0 ? nil : left
        }
        return old
    }

    private func keepDeleted(_ old: RecordingEntry, as gone: RecordingEntry) {
        var kept = gone
        kept.bytes = old.bytes
        recentlyDeleted.append(kept)
        if recentlyDeleted.count > 2 * Self.recentlyDeletedLimit {
            recentlyDeleted.removeFirst(recentlyDeleted.count - Self.recentlyDeletedLimit)
        }
    }

    private func persist(_ entry: RecordingEntry) {
        do {
            try journal.append(entry)
        } catch {
            writeFailures += 1
            log("recordings catalog: \(error)")
        }
    }

    /// Chunks arrive in time order: the end is the usual place.
    private static func insert(_ key: OrderKey, into keys: inout [OrderKey]) {
        if let last = keys.last, last < key {
            keys.append(key)
        } else {
            keys.insert(key, at: boundary(keys) { $0 < key })
        }
    }

    private static func remove(_ key: OrderKey, from keys: inout [OrderKey]) {
        let index = boundary(keys) { $0 < key }
        if index < keys.count && keys[index] == key { keys.remove(at: index) }
    }

    /// Binary search: the first position of `keys` where `isBefore` is false (it must be true
    /// for a prefix and false after it).
    private static func boundary(_ keys: [OrderKey], _ isBefore: (OrderKey) -> Bool) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if isBefore(keys[mid]) { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
