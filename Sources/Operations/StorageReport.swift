import MediaCore

/// What each allowed root holds and has free, with the retention limits that apply: the
/// `storageInfo` answer and the storage gauges of `/metrics`, made from the catalog and one
/// `statvfs` per root (never a directory walk).
public struct StorageReport: Sendable, Equatable {
    public struct Root: Sendable, Equatable {
        public var path: String
        /// Bytes of the recordings the catalog holds under this root (the deepest root that
        /// holds a file counts it, so nested roots do not count a file twice).
        public var usedBytes: UInt64 = 0
        public var recordingCount = 0
        /// The filesystem's size and free space; nil when it could not be read (`usageError`).
        public var usage: FilesystemUsage?
        public var usageError: String?
        /// Under the free-space floor at the last retention check (recording paused there).
        public var belowFloor = false
    }

    public var roots: [Root]
    /// The global limits (`--retention-age`, `--retention-bytes`, `--min-free-bytes`); a
    /// record config's own `retentionAge`/`retentionBytes` show in its listConfig entry.
    public var policy: RetentionPolicy
    /// Recordings in the catalog (not deleted), under any root or none.
    public var recordingCount: Int
    /// Bytes of all those recordings.
    public var usedBytes: UInt64

    /// Measures `roots` now; `belowFloor` names the roots the last check found under the floor.
    public static func measure(catalog: RecordingCatalog, roots: [String], policy: RetentionPolicy, belowFloor: Set<String> = [],
                               usage: RetentionEnforcer.UsageProbe) -> StorageReport {
        var measured = roots.map { Root(path: $0, belowFloor: belowFloor.contains($0)) }
        var count = 0
        var total: UInt64 = 0
        catalog.visitOldestFirst { entry in
            count += 1
            total += entry.bytes
            let holders = measured.indices.filter { entry.file.hasPrefix(measured[$0].path == "/" ? "/" : measured[$0].path + "/") }
            if let deepest = holders.max(by: { measured[$0].path.count < measured[$1].path.count }) {
                measured[deepest].usedBytes += entry.bytes
                measured[deepest].recordingCount += 1
            }
            return true
        }
        for index in measured.indices {
            do {
                measured[index].usage = try usage(measured[index].path)
            } catch {
                measured[index].usageError = "\(error)"
            }
        }
        return StorageReport(roots: measured, policy: policy, recordingCount: count, usedBytes: total)
    }
}
