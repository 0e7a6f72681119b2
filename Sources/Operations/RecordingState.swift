/// Where a recording is in its life. Only `finalized` and `recovered` recordings are complete
/// files that retention may delete; the others are being written or made.
public enum RecordingState: String, Sendable, Codable, CaseIterable {
    /// Its chunk is open: frames are being written.
    case recording
    /// Closed, and waiting for (or in) mp4writer: the staging set becomes the MP4.
    case finalizing
    /// A complete file, made while the recorder ran.
    case finalized
    /// A complete file made at start-up from what a crash left (or found when the catalog was
    /// rebuilt from the files).
    case recovered
    /// Removed by retention or `deleteRecording` (kept in memory a while, for listRecordings).
    case deleted

    /// A finished file on disk: one retention may choose.
    public var isComplete: Bool { self == .finalized || self == .recovered }
}
