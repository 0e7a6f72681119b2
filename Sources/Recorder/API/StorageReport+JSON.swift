import MediaCore
import Operations

/// The JSON form of a storage report, as storageInfo answers it. Limits that are off are
/// null; a root whose filesystem could not be read has null sizes and an `error`.
extension StorageReport {
    public var json: JSONValue {
        .object([
            "roots": .array(roots.map(\.json)),
            "recordings": .int(recordingCount),
            "usedBytes": .int(Int(usedBytes)),
            "retention": .object([
                "maxAgeSeconds": policy.maxAgeSeconds.map { .int(Int($0)) } ?? .null,
                "maxBytes": policy.maxBytes.map { .int(Int($0)) } ?? .null,
                "minFreeBytes": policy.minFreeBytes.map { .int(Int($0)) } ?? .null,
            ]),
        ])
    }
}

extension StorageReport.Root {
    var json: JSONValue {
        .object([
            "root": .string(path),
            "usedBytes": .int(Int(usedBytes)),
            "recordings": .int(recordingCount),
            "freeBytes": usage.map { .int(Int($0.availableBytes)) } ?? .null,
            "sizeBytes": usage.map { .int(Int($0.totalBytes)) } ?? .null,
            "belowFloor": .bool(belowFloor),
            "error": JSONValue(usageError),
        ])
    }
}
