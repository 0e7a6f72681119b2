/// What kind of media a track carries.
public enum MediaKind: UInt8, Sendable, Equatable, CustomStringConvertible {
    case video = 1
    case audio = 2

    public var description: String { self == .video ? "video" : "audio" }
}

/// The codecs the recorder understands end to end. The raw values are stored in staging
/// files (docs/staging-format.md): never renumber one.
public enum Codec: UInt8, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    case h264 = 1
    case h265 = 2
    case aac = 3
    /// MPEG-1/2 Layer III audio.
    case mp3 = 4
    /// Dolby AC-3 (ATSC A/52).
    case ac3 = 5
    /// Dolby E-AC-3 (ATSC A/52 Annex E).
    case eac3 = 6
    /// Opus (RFC 6716), as Ogg/MP4/TS carry it.
    case opus = 7
    /// G.711 mu-law, 8-bit samples as sent.
    case pcmMulaw = 8
    /// G.711 A-law, 8-bit samples as sent.
    case pcmAlaw = 9
    /// AV1 (AV1 Codec ISO Media File Format Binding).
    case av1 = 10
    /// VP9 (VP Codec ISO Media File Format Binding).
    case vp9 = 11

    public var kind: MediaKind {
        switch self {
        case .h264, .h265, .av1, .vp9: return .video
        case .aac, .mp3, .ac3, .eac3, .opus, .pcmMulaw, .pcmAlaw: return .audio
        }
    }

    public var description: String {
        switch self {
        case .h264: return "h264"
        case .h265: return "h265"
        case .aac: return "aac"
        case .mp3: return "mp3"
        case .ac3: return "ac3"
        case .eac3: return "eac3"
        case .opus: return "opus"
        case .pcmMulaw: return "pcm_mulaw"
        case .pcmAlaw: return "pcm_alaw"
        case .av1: return "av1"
        case .vp9: return "vp9"
        }
    }
}

/// How to decode a run of samples: the codec configuration record and the geometry or audio
/// format it implies. A track gets a new description when the stream changes mid-way (a new
/// SPS with another resolution).
public struct SampleDescription: Sendable, Equatable {
    public var codec: Codec
    /// The decoder configuration as MP4 stores it: an AVCDecoderConfigurationRecord (avcC body),
    /// an HEVCDecoderConfigurationRecord (hvcC body), an AV1CodecConfigurationRecord (av1C
    /// body), a VPCodecConfigurationRecord (vpcC body with its version and flags), an AAC
    /// AudioSpecificConfig, the `dac3` (AC-3), `dec3` (E-AC-3) or `dOps` (Opus) body; empty for
    /// MP3 and G.711.
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
