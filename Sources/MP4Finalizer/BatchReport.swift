/// What a batch run did with each staging set it found under a folder, for the CLI's table
/// and `--json` output.
public struct BatchReport: Sendable, Codable {
    /// What happened to one set. Dry runs use the `would…` cases and change nothing.
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        /// A clean set became an MP4 and its staging files were removed.
        case finalized
        /// A damaged set became an MP4 of its intact samples; the rest were dropped.
        case recoveredWithLosses = "recovered-with-losses"
        /// Not one intact sample (or no sample data at all): no MP4 was written, the files stay.
        case nothingRecoverable = "nothing-recoverable"
        /// A live recorder (or another mp4writer) holds the set's lock: left alone.
        case liveSkipped = "live-skipped"
        /// The MP4 was complete already; files left by an interrupted finalize were removed.
        case leftoversRemoved = "leftovers-removed"
        /// An error that needs a person (I/O error, full disk, an incomplete output with no set).
        case failed
        case wouldFinalize = "would-finalize"
        case wouldRecover = "would-recover"
        case wouldRemoveLeftovers = "would-remove-leftovers"

        /// Outcomes that leave work for an operator.
        public var needsAttention: Bool { self == .failed || self == .nothingRecoverable }
        /// Outcomes where samples were (or would be) dropped.
        public var lostSamples: Bool { self == .recoveredWithLosses || self == .wouldRecover }
    }

    /// Samples kept and dropped in one track of a set.
    public struct Track: Sendable, Codable, Equatable {
        public var trackID: UInt32
        public var codec: String
        public var kept: Int
        /// Dropped samples by reason ("payload checksum mismatch", ...).
        public var dropped: [String: Int]
        /// Records that could not be read at all (torn or damaged units).
        public var unreadableRecords: Int
    }

    public struct Entry: Sendable, Codable {
        /// The final MP4 path the set finalizes into.
        public var output: String
        public var outcome: Outcome
        /// Tracks written (or that would be written); empty when no MP4 came of the set.
        public var tracks: [Track]
        /// The damage found, or the error, one line each.
        public var messages: [String]
        /// Size of the MP4 written, when one was.
        public var fileSize: Int64?
    }

    /// The folder that was searched.
    public var directory: String
    public var dryRun: Bool
    /// One entry per set found, sorted by path.
    public var entries: [Entry]
    public var elapsedSeconds: Double

    public func count(_ outcome: Outcome) -> Int { entries.filter { $0.outcome == outcome }.count }
}
