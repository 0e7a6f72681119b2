import MediaCore

/// stream_type of a PMT entry (ISO/IEC 13818-1 Table 2-34) for the codecs this project records.
public struct TSStreamType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// ISO/IEC 13818-7 audio with ADTS transport syntax.
    public static let adtsAAC = TSStreamType(rawValue: 0x0F)
    /// AVC video (ITU-T H.264 | ISO/IEC 14496-10).
    public static let h264 = TSStreamType(rawValue: 0x1B)
    /// HEVC video (ITU-T H.265 | ISO/IEC 23008-2).
    public static let h265 = TSStreamType(rawValue: 0x24)

    /// The codec, nil for stream types this project does not record.
    public var codec: Codec? {
        switch self {
        case .adtsAAC: return .aac
        case .h264: return .h264
        case .h265: return .h265
        default: return nil
        }
    }

    /// The stream type that carries `codec`; nil where this writer cannot carry it yet.
    public init?(codec: Codec) {
        switch codec {
        case .h264: self = .h264
        case .h265: self = .h265
        case .aac: self = .adtsAAC
        case .mp3, .ac3, .eac3, .opus, .pcmMulaw, .pcmAlaw, .av1, .vp9: return nil
        }
    }

    public var description: String { "0x" + String(rawValue, radix: 16) }
}
