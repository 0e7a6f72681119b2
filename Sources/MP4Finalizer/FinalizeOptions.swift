/// How `Finalizer` treats a staging set.
public struct FinalizeOptions: Sendable {
    /// Accept a damaged set: keep every intact sample, drop the rest, report both.
    public var recovery = false
    /// With `recovery`, also check the payload checksums of a set that was closed cleanly
    /// (damage after the close). A set that never closed is always checked. Batch mode turns
    /// this off: it looks for crash leftovers, and must not read every byte of every clean set.
    public var verifyClosedSets = true
    /// Finalize even when another process holds the set's lock.
    public var force = false
    /// Leave the staging files in place after the MP4 is durable.
    public var keepStaging = false
    /// Refuse (instead of widening) header fields that do not fit 32 bits. When nil, the
    /// set's own winQtCompat setting (from .info) decides.
    public var winQtCompat: Bool?
    /// How the payload moves from .mdat into the MP4.
    public var strategy: CopyStrategy = .auto
    /// Called now and then with the fraction done (0...1), from the calling thread.
    public var progress: (@Sendable (Double) -> Void)?
    /// Bytes of sample-table entries held in memory for one set (`SampleTableCapture`): within
    /// it the track files are read once and the header goes out in one write; past it the
    /// tables are streamed from the track files again, and memory stays flat. The default,
    /// 8 MiB, holds about a million samples (some hours of video and audio); 0 always streams.
    public var tableMemoryBudget = 8 << 20
    /// Called after each durable step of the output path, for crash tests that stop the
    /// process at an exact step.
    public var afterStep: (@Sendable (FinalizeStep) -> Void)?

    public init() {}
}

/// How the mdat payload gets into the output file.
public enum CopyStrategy: String, Sendable, CaseIterable {
    /// The fastest that works here: in place, then kernel copy, then read/write.
    case auto
    /// .mdat becomes the MP4: the header is inserted in front of it (FALLOC_FL_INSERT_RANGE),
    /// under a journal; the payload is never copied.
    case inplace
    /// copy_file_range: the kernel copies (or reflinks) without passing bytes through us.
    case copy
    /// Plain read and write through a large buffer.
    case readwrite
}

/// The steps of writing the output, in order, at which a crash leaves a state worth testing.
public enum FinalizeStep: String, Sendable, CaseIterable {
    /// copy: NAME.mp4.partial written and fsync'd. in place: the header written to NAME.mp4.journal, no trailer yet.
    case headerWritten
    /// in place: the journal is durable, nothing inserted yet.
    case journalWritten
    /// in place: the range is inserted at the start of .mdat, the header not yet copied in.
    case rangeInserted
    /// The complete MP4 is durable under its final name; staging files not yet removed.
    case renamed
}
