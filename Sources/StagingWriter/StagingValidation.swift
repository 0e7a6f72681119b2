import MediaCore

/// What reading a staging set found, per track and for the set: what is kept, what is
/// dropped and why. Finalizing keeps exactly the samples a validation keeps.
public struct StagingValidation: Sendable {
    public struct Track: Sendable {
        public var trackID: UInt32
        public var timescale: UInt32
        public var descriptions: [SampleDescription]
        public var keptSamples = 0
        /// Dropped samples by reason ("payload checksum mismatch", ...).
        public var droppedSamples: [String: Int] = [:]
        /// Units whose own checksum failed (samples or descriptions: it cannot be told which).
        public var damagedUnits: [String: Int] = [:]
        public var tornTailBytes = 0
        /// Unit indexes of well-formed sample records that must be skipped (sorted).
        public var droppedIndexes: [Int] = []
        public var firstDTS: Int64?
        public var lastDTS: Int64?
        /// Largest pts + (estimated) duration is computed when finalizing; this is the
        /// largest pts seen.
        public var maxPTS: Int64?
        public var minPTS: Int64?
        /// One past the last payload byte of any kept sample.
        public var payloadEnd: UInt64 = 0
        public var presentationEnd: Int64?
        /// False when a sample was dropped after `validate`'s `onKept` had seen it.
        public var keptSamplesSeenInOrder = true

        public var codec: Codec { descriptions[0].codec }
        public var kind: MediaKind { codec.kind }
        public var droppedCount: Int { droppedSamples.values.reduce(0, +) }
        public var damagedCount: Int { damagedUnits.values.reduce(0, +) }
        public var isClean: Bool { droppedSamples.isEmpty && damagedUnits.isEmpty && tornTailBytes == 0 }
    }

    public var tracks: [Track]
    /// Set-level damage: a missing or corrupt .info, a missing track file, counts that
    /// disagree with what .info recorded at close.
    public var problems: [String]
    /// False when the recording never closed (a crash or kill interrupted it).
    public var closedCleanly: Bool

    public var isClean: Bool { problems.isEmpty && tracks.allSatisfy(\.isClean) }

    /// One line per kind of damage, for error messages and reports.
    public var damageSummary: [String] {
        var lines = problems
        for t in tracks {
            for (reason, n) in t.droppedSamples.sorted(by: { $0.key < $1.key }) { lines.append("track \(t.trackID): \(n) sample(s) dropped: \(reason)") }
            for (reason, n) in t.damagedUnits.sorted(by: { $0.key < $1.key }) { lines.append("track \(t.trackID): \(n) record(s) unreadable: \(reason)") }
            if t.tornTailBytes > 0 { lines.append("track \(t.trackID): torn record at the end (\(t.tornTailBytes) bytes)") }
        }
        return lines
    }
}
