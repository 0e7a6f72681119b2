/// One recording (one file, one chunk) in the catalog.
public struct RecordingEntry: Sendable, Equatable, Codable {
    /// Absolute path of the final file (for MP4, the MP4 that mp4writer makes): the key.
    public var file: String
    public var localStreamName: String
    /// The record config that wrote it; nil for a file found by a rebuild that no config
    /// names.
    public var configId: Int?
    /// Wall-clock time of its first frame, Unix seconds (UTC).
    public var startTime: Double
    /// Seconds of media (0 while recording, until the chunk closes).
    public var duration: Double
    /// Bytes on disk: media so far while recording, the file's size once complete.
    public var bytes: UInt64
    public var tracks: [RecordingTrack]
    public var state: RecordingState

    public init(file: String, localStreamName: String, configId: Int?, startTime: Double, duration: Double = 0,
                bytes: UInt64 = 0, tracks: [RecordingTrack] = [], state: RecordingState) {
        self.file = file
        self.localStreamName = localStreamName
        self.configId = configId
        self.startTime = startTime
        self.duration = duration
        self.bytes = bytes
        self.tracks = tracks
        self.state = state
    }

    /// When its media ends, Unix seconds.
    public var endTime: Double { startTime + duration }
}
