/// How much of the past to keep. Each limit is off when nil.
public struct RetentionPolicy: Sendable, Equatable, Codable {
    /// Complete recordings whose media ended longer ago than this (seconds) are deleted.
    public var maxAgeSeconds: Double?
    /// The complete recordings are kept under this many bytes in all, oldest deleted first
    /// (the recordings being written count toward it, and are never deleted).
    public var maxBytes: UInt64?
    /// Each filesystem holding an allowed root keeps this many bytes free, oldest deleted
    /// first; when nothing is left to delete, recording stops until space returns.
    public var minFreeBytes: UInt64?

    public init(maxAgeSeconds: Double? = nil, maxBytes: UInt64? = nil, minFreeBytes: UInt64? = nil) {
        self.maxAgeSeconds = maxAgeSeconds
        self.maxBytes = maxBytes
        self.minFreeBytes = minFreeBytes
    }

    public var isEmpty: Bool { maxAgeSeconds == nil && maxBytes == nil && minFreeBytes == nil }

    /// A config's own limits where it sets them, these elsewhere. The free-space floor belongs
    /// to the filesystem, not to one config: it is always the global one.
    public func overridden(by config: RetentionPolicy) -> RetentionPolicy {
        RetentionPolicy(maxAgeSeconds: config.maxAgeSeconds ?? maxAgeSeconds, maxBytes: config.maxBytes ?? maxBytes,
                        minFreeBytes: minFreeBytes)
    }
}

/// Why retention deleted a recording (the `reason` of `recordingDeleted`, a metric label).
public enum RetentionReason: String, Sendable, Equatable, CaseIterable {
    case age
    case bytes
    case freeSpace = "free-space"
    /// An operator's `deleteRecording`.
    case request
}
