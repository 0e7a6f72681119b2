import MediaCore

/// stream_type of a PMT entry (ISO/IEC 13818-1 Table 2-34) for the codecs this project records.
public struct TSStreamType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// ISO/IEC 11172-3 (MPEG-1) audio: MP3 (or MP2) at 32, 44.1, 48 kHz.
    public static let mpeg1Audio = TSStreamType(rawValue: 0x03)
    /// ISO/IEC 13818-3 (MPEG-2) audio: MP3 (or MP2) at the half rates.
    public static let mpeg2Audio = TSStreamType(rawValue: 0x04)
    /// PES private data: the codec is in the stream's descriptors (DVB AC-3/E-AC-3, Opus).
    public static let privateData = TSStreamType(rawValue: 0x06)
    /// AC-3 as ATSC A/52 Annex A registers it (System A).
    public static let atscAC3 = TSStreamType(rawValue: 0x81)
    /// E-AC-3 as ATSC A/52 Annex G registers it (System A).
    public static let atscEAC3 = TSStreamType(rawValue: 0x87)
    /// ISO/IEC 13818-7 audio with ADTS transport syntax.
    public static let adtsAAC = TSStreamType(rawValue: 0x0F)
    /// AVC video (ITU-T H.264 | ISO/IEC 14496-10).
    public static let h264 = TSStreamType(rawValue: 0x1B)
    /// HEVC video (ITU-T H.265 | ISO/IEC 23008-2).
    public static let h265 = TSStreamType(rawValue: 0x24)

    /// The codec, nil for stream types this project does not record or whose codec only the
    /// descriptors tell (`privateData`: see `ProgramMapTable.Stream.codec`). MPEG audio is
    /// taken as MP3; an MP2 stream is refused when its first frame says layer II.
    public var codec: Codec? {
        switch self {
        case .adtsAAC: return .aac
        case .mpeg1Audio, .mpeg2Audio: return .mp3
        case .atscAC3: return .ac3
        case .atscEAC3: return .eac3
        case .h264: return .h264
        case .h265: return .h265
        default: return nil
        }
    }

    /// The stream type that carries `description`'s codec, as ffmpeg's muxer picks it: MP3
    /// by its rate, AC-3 and E-AC-3 in the ATSC form, Opus as private data with its
    /// descriptors. Nil where MPEG-TS has no standard form (G.711) or this writer none yet.
    public init?(_ description: SampleDescription) {
        switch description.codec {
        case .h264: self = .h264
        case .h265: self = .h265
        case .aac: self = .adtsAAC
        case .mp3: self = description.sampleRate >= 32000 ? .mpeg1Audio : .mpeg2Audio
        case .ac3: self = .atscAC3
        case .eac3: self = .atscEAC3
        case .opus: self = .privateData
        case .pcmMulaw, .pcmAlaw, .av1, .vp9: return nil
        }
    }

    /// The stream type for `codec` in its default form (MP3 as MPEG-1 audio).
    public init?(codec: Codec) {
        self.init(SampleDescription(codec: codec, configuration: [], sampleRate: 48000))
    }

    public var description: String { "0x" + String(rawValue, radix: 16) }
}
