/// One track of a recording as listRecordings shows it: the codec and its picture size or
/// audio format.
public struct RecordingTrack: Sendable, Equatable, Codable {
    /// "h264", "h265", "aac", ... (`Codec.description`).
    public var codec: String
    public var width: Int?
    public var height: Int?
    public var sampleRate: Int?
    public var channels: Int?

    public init(codec: String, width: Int? = nil, height: Int? = nil, sampleRate: Int? = nil, channels: Int? = nil) {
        self.codec = codec
        self.width = width
        self.height = height
        self.sampleRate = sampleRate
        self.channels = channels
    }
}
