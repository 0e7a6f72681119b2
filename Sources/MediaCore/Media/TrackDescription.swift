/// What kind of media a track carries.
public enum MediaKind: UInt8, Sendable, Equatable, CustomStringConvertible {
    case video = 1
    case audio = 2

    public var description: String { self == .video ? "video" : "audio" }
}

/// The codecs the recorder understands end to end.
public enum Codec: UInt8, Sendable, Equatable, CustomStringConvertible {
    case h264 = 1
    case h265 = 2
    case aac = 3

    public var kind: MediaKind { self == .aac ? .audio : .video }

    public var description: String {
        switch self {
        case .h264: return "h264"
        case .h265: return "h265"
        case .aac: return "aac"
        }
    }
}

/// How to decode a run of samples: the codec configuration record and the geometry or audio
/// format it implies. A track gets a new description when the stream changes mid-way (a new
/// SPS with another resolution).
public struct SampleDescription: Sendable, Equatable {
    public var codec: Codec
    /// The decoder configuration as MP4 stores it: an AVCDecoderConfigurationRecord (avcC body),
    /// an HEVCDecoderConfigurationRecord (hvcC body), or an AAC AudioSpecificConfig.
    public var configuration: [UInt8]
    public var width: UInt16
    public var height: UInt16
    public var sampleRate: UInt32
    public var channelCount: UInt16

    public init(codec: Codec, configuration: [UInt8], width: UInt16 = 0, height: UInt16 = 0,
                sampleRate: UInt32 = 0, channelCount: UInt16 = 0) {
        self.codec = codec
        self.configuration = configuration
        self.width = width
        self.height = height
        self.sampleRate = sampleRate
        self.channelCount = channelCount
    }
}

/// A track of a stream: identity, timescale and its sample descriptions (1-based in frames).
public struct TrackDescription: Sendable, Equatable {
    public var trackID: UInt32
    public var timescale: UInt32
    public var sampleDescriptions: [SampleDescription]

    public init(trackID: UInt32, timescale: UInt32, sampleDescriptions: [SampleDescription]) {
        self.trackID = trackID
        self.timescale = timescale
        self.sampleDescriptions = sampleDescriptions
    }

    public var codec: Codec { sampleDescriptions[0].codec }
    public var kind: MediaKind { codec.kind }
}
