import Foundation
import Synchronization
import MediaCore

/// The record configs, persisted in the state folder so that they survive a restart
/// (DESIGN.md, "Configs survive a restart").
///
/// File: `STATE/record-configs.json`, one JSON object:
/// `{"configs":[{"configId":1,"parameters":{...}}],"formatVersion":1,"nextConfigId":2}`.
/// It is rewritten whole and atomically on every change (temp file, fsync, rename, directory
/// fsync): a crash leaves the old list or the new, never a mix. Config ids are never reused:
/// the next id is stored with the list, so an id a client holds keeps meaning one config.
///
/// A file that cannot be parsed is moved aside (`record-configs.json.corrupt-TIMESTAMP`) and
/// logged, and the store starts empty: a damaged file must not keep the server from starting,
/// nor be overwritten where an operator could still recover it. Entries that parse but fail
/// validation are dropped, logged, and the original is kept aside the same way. A file from a
/// newer format, or one that cannot be read at all (permissions), is an error instead: moving
/// or overwriting it would lose data that is not damaged.
public final class ConfigStore: Sendable {
    public struct Entry: Sendable, Equatable {
        public var configId: Int
        public var parameters: RecordParameters
    }

    public static let fileName = "record-configs.json"
    public static let formatVersion = 1

    public let directory: String
    public let path: String
    private let log: @Sendable (String) -> Void
    /// The configs and the next id. Its lock is held across the file's rewrite, so that
    /// writes land in the order they were made (a leaf: nothing else is locked inside).
    private struct Contents {
        var stored: [Entry] = []
        var next = 1
    }
    private let contents = Mutex(Contents())

    /// Opens the store in `directory` (created if missing) and loads what it holds. `log`
    /// receives one line per problem found while loading (the library never prints).
    public init(directory: String, log: @escaping @Sendable (String) -> Void = { _ in }) throws(ConfigStoreError) {
        self.directory = directory
        path = directory + "/" + Self.fileName
        self.log = log
        do {
            try FileSystem.createDirectories(directory)
        } catch {
            throw ConfigStoreError("cannot create state folder: \(error)")
        }
        try load()
    }

    /// The configs, by configId.
    public var entries: [Entry] { contents.withLock { $0.stored } }

    /// The id the next `add` will give.
    public var nextConfigId: Int { contents.withLock { $0.next } }

    public func entry(id: Int) -> Entry? {
        contents.withLock { $0.stored.first { $0.configId == id } }
    }

    /// Stores a new config under the next id; the file is durable when this returns. On a
    /// write error nothing changes.
    public func add(_ parameters: RecordParameters) throws(ConfigStoreError) -> Entry {
        try contents.withLock { contents throws(ConfigStoreError) -> Entry in
            let entry = Entry(configId: contents.next, parameters: parameters)
            try write(entries: contents.stored + [entry], next: contents.next + 1)
            contents.stored.append(entry)
            contents.next += 1
            return entry
        }
    }

    /// Forgets a config; nil when there is none with that id. On a write error nothing
    /// changes.
    @discardableResult
    public func remove(id: Int) throws(ConfigStoreError) -> Entry? {
        try contents.withLock { contents throws(ConfigStoreError) -> Entry? in
            guard let index = contents.stored.firstIndex(where: { $0.configId == id }) else { return nil }
            var remaining = contents.stored
            let removed = remaining.remove(at: index)
            try write(entries: remaining, next: contents.next)
            contents.stored = remaining
            return removed
        }
    }

    // MARK: File

    static func encode(entries: [Entry], next: Int) -> [UInt8] {
        let configs = entries.map { JSONValue.object(["configId": .int($0.configId), "parameters": $0.parameters.json]) }
        let file: JSONValue = ["formatVersion": .int(formatVersion), "nextConfigId": .int(next), "configs": .array(configs)]
        return Array((file.text + "\n").utf8)
    }

    /// Called with `contents` locked (or from init).
    private func write(entries: [Entry], next: Int) throws(ConfigStoreError) {
        do {
            // Owner only: configs may hold publish keys.
            try FileSystem.writeAtomically(Self.encode(entries: entries, next: next), to: path, permissions: 0o600)
        } catch {
            throw ConfigStoreError("cannot save record configs: \(error)")
        }
    }

    private func load() throws(ConfigStoreError) {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readFile(path)
        } catch let error where error.isNotFound {
            return
        } catch {
            throw ConfigStoreError("cannot read record configs: \(error)")
        }
        let file: StoredFile
        do {
            file = try JSONDecoder().decode(StoredFile.self, from: Data(bytes))
        } catch {
            let aside = try moveAside()
            log("config store: \(path) is corrupt (\(Self.reason(error))); moved to \(aside); starting with no record configs")
            return
        }
        guard file.formatVersion <= Self.formatVersion else {
            throw ConfigStoreError("\(path) has format version \(file.formatVersion), newer than this recorder's \(Self.formatVersion): refusing to overwrite it")
        }
        var kept: [Entry] = []
        var problems: [String] = []
        for (index, stored) in file.configs.enumerated() {
            switch stored.result {
            case .success(let entry):
                if kept.contains(where: { $0.configId == entry.configId }) {
                    problems.append("config #\(index + 1): configId \(entry.configId) used twice")
                } else if entry.configId <= 0 {
                    problems.append("config #\(index + 1): configId \(entry.configId) is not positive")
                } else {
                    kept.append(entry)
                }
            case .failure(let reason):
                problems.append("config #\(index + 1): \(reason.description)")
            }
        }
        kept.sort { $0.configId < $1.configId }
        let maxId = kept.last?.configId ?? 0
        var nextId = file.nextConfigId
        if nextId <= maxId {
            problems.append("nextConfigId \(nextId) is not above the largest configId \(maxId)")
            nextId = maxId + 1
        }
        let next = max(1, nextId)
        contents.withLock { $0 = Contents(stored: kept, next: next) }
        if !problems.isEmpty {
            let aside = try moveAside()
            log("config store: \(path): dropped what was invalid (\(problems.joined(separator: "; "))); kept \(kept.count) of \(file.configs.count) configs; original moved to \(aside)")
            try write(entries: kept, next: next)
        }
    }

    /// Renames the file to a `.corrupt-TIMESTAMP` name beside it; returns that name.
    private func moveAside() throws(ConfigStoreError) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let base = path + ".corrupt-" + formatter.string(from: Date())
        var target = base
        var n = 1
        while FileSystem.exists(target) {
            n += 1
            target = base + "-\(n)"
        }
        do {
            try FileSystem.rename(path, to: target)
            // The rename must survive a crash before the next write replaces the file.
            try FileSystem.syncDirectory(directory)
        } catch {
            throw ConfigStoreError("cannot move damaged \(path) aside: \(error)")
        }
        return target
    }

    private static func reason(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return "not JSON: \(context.debugDescription)"
        case DecodingError.keyNotFound(let key, _): return "missing \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "\(error)"
        }
    }
}

/// A config store that cannot load or save; the description says which file and why.
public struct ConfigStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The file's shape for decoding; entries decode one by one, so one bad entry costs only
/// itself.
private struct StoredFile: Decodable {
    let formatVersion: Int
    let nextConfigId: Int
    let configs: [StoredEntry]
}

private struct StoredEntry: Decodable {
    let result: Result<ConfigStore.Entry, StoredEntryError>

    private enum Keys: String, CodingKey { case configId, parameters }

    init(from decoder: any Decoder) throws {
        do {
            let container = try decoder.container(keyedBy: Keys.self)
            let id = try container.decode(Int.self, forKey: .configId)
            let values = try container.decode([String: StoredScalar].self, forKey: .parameters)
            do {
                let parameters = try RecordParameters(pairs: values.sorted { $0.key < $1.key }.map { ($0.key, $0.value.text) })
                result = .success(ConfigStore.Entry(configId: id, parameters: parameters))
            } catch {
                result = .failure(StoredEntryError(description: "configId \(id): \(error)"))
            }
        } catch {
            result = .failure(StoredEntryError(description: "malformed entry"))
        }
    }
}

private struct StoredEntryError: Error {
    let description: String
}

/// A parameter value as stored: a string, a boolean or a number, read back as text for
/// `RecordParameters(pairs:)`, which validates it.
private struct StoredScalar: Decodable {
    let text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let s = try? container.decode(String.self) {
            text = s
        } else if let b = try? container.decode(Bool.self) {
            text = b ? "1" : "0"
        } else {
            text = String(try container.decode(Int.self))
        }
    }
}
