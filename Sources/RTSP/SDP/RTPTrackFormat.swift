import MediaCore

/// What an m-line carries, as the recorder records it: the codec, the RTP clock, the sample
/// description the SDP already gives (parameter sets, AudioSpecificConfig) and the
/// depacketizer for its payload format.
public struct RTPTrackFormat: Sendable, Equatable {
    public enum Payload: Sendable, Equatable {
        case h264
        case h265
        case mpeg4Generic(sizeLength: Int, indexLength: Int, indexDeltaLength: Int)
        case latm
        case g711
    }

    public var codec: Codec
    public var payloadType: UInt8
    public var clockRate: UInt32
    public var payload: Payload
    /// Video: the parameter sets of the SDP (empty when missing or broken: they come in band).
    public var parameterSets: [[UInt8]]
    /// Audio: known from the SDP. Video: built from `parameterSets` when they parse.
    public var sampleDescription: SampleDescription?

    /// The format of `media`'s first payload type, or an error naming what it carries when the
    /// recorder cannot record it.
    public init(media: MediaDescription) throws(RTSPError) {
        guard let pt = media.payloadTypes.first else { throw .noUsableTracks("m=\(media.media) has no payload type") }
        payloadType = UInt8(pt)
        let map = media.rtpmaps[pt]
        let fmtp = media.formatParameters[pt] ?? [:]
        // Static payload types of RFC 3551 table 4, for cameras that omit their rtpmap.
        let name = map?.encoding ?? (pt == 0 ? "PCMU" : pt == 8 ? "PCMA" : "payload type \(pt) without rtpmap")
        let encoding = name.uppercased()
        clockRate = UInt32(map?.clockRate ?? 8000)
        parameterSets = []
        switch encoding {
        case "H264":
            codec = .h264
            payload = .h264
            let sets = (fmtp["sprop-parameter-sets"] ?? "").split(separator: ",").compactMap { Base64.decode($0) }.filter { !$0.isEmpty }
            parameterSets = Self.splittingAnnexB(sets)
            sampleDescription = Self.videoDescription(.h264, parameterSets)
        case "H265", "HEVC":
            codec = .h265
            payload = .h265
            let sets = ["sprop-vps", "sprop-sps", "sprop-pps"].flatMap { key in
                (fmtp[key] ?? "").split(separator: ",").compactMap { Base64.decode($0) }.filter { !$0.isEmpty }
            }
            parameterSets = Self.splittingAnnexB(sets)
            sampleDescription = Self.videoDescription(.h265, parameterSets)
        case "MPEG4-GENERIC":
            guard let mode = fmtp["mode"]?.lowercased(), mode.hasPrefix("aac") else {
                throw .noUsableTracks("mpeg4-generic mode \(fmtp["mode"] ?? "none") is not AAC")
            }
            guard let config = fmtp["config"].flatMap({ HexString.decode($0) }) else {
                throw .noUsableTracks("mpeg4-generic without a config")
            }
            codec = .aac
            payload = .mpeg4Generic(sizeLength: Int(fmtp["sizelength"] ?? "") ?? 13, indexLength: Int(fmtp["indexlength"] ?? "") ?? 3,
                                    indexDeltaLength: Int(fmtp["indexdeltalength"] ?? "") ?? 3)
            sampleDescription = try Self.aacDescription(config)
        case "MP4A-LATM":
            guard fmtp["cpresent"] == "0" else { throw .noUsableTracks("MP4A-LATM with the config in band (cpresent=1)") }
            guard let config = fmtp["config"].flatMap({ HexString.decode($0) }) else {
                throw .noUsableTracks("MP4A-LATM without a config")
            }
            codec = .aac
            payload = .latm
            sampleDescription = try Self.aacDescription(try LATMDepacketizer.audioSpecificConfig(streamMuxConfig: config))
        case "PCMU", "PCMA":
            codec = encoding == "PCMU" ? .pcmMulaw : .pcmAlaw
            payload = .g711
            sampleDescription = .g711(codec, sampleRate: clockRate, channelCount: UInt16(clamping: max(1, map?.channels ?? 1)))
        default:
            throw .noUsableTracks("m=\(media.media) carries \(name), which the recorder does not record")
        }
    }

    /// Samples per AAC frame in RTP clock ticks.
    var aacFrameDuration: UInt32 {
        guard let d = sampleDescription, d.codec == .aac, d.sampleRate > 0,
              let config = try? AudioSpecificConfig(parsing: d.configuration) else { return 1024 }
        return UInt32(UInt64(config.samplesPerFrame) * UInt64(clockRate) / UInt64(config.sampleRate))
    }

    public func makeDepacketizer() throws(RTSPError) -> any RTPDepacketizer {
        switch payload {
        case .h264: return NALDepacketizer(.h264)
        case .h265: return NALDepacketizer(.h265)
        case let .mpeg4Generic(size, index, delta):
            return try MPEG4GenericDepacketizer(sizeLength: size, indexLength: index, indexDeltaLength: delta, frameDuration: aacFrameDuration)
        case .latm: return LATMDepacketizer(frameDuration: aacFrameDuration)
        case .g711: return G711Depacketizer()
        }
    }

    /// Cameras that put Annex B start codes inside a base64 parameter set.
    private static func splittingAnnexB(_ sets: [[UInt8]]) -> [[UInt8]] {
        sets.flatMap { set -> [[UInt8]] in
            guard set.starts(with: [0, 0, 1]) || set.starts(with: [0, 0, 0, 1]),
                  let units = try? NALUnit.splitAnnexB(set) else { return [set] }
            return units.map(Array.init).filter { !$0.isEmpty }
        }
    }

    /// The description the parameter sets make; nil when they are missing or do not parse
    /// (then the ones in band are used).
    static func videoDescription(_ codec: Codec, _ sets: [[UInt8]]) -> SampleDescription? {
        var collected = VideoParameterSets(codec: codec)
        collected.take(sets.map { $0[...] })
        return try? collected.sampleDescription()
    }

    private static func aacDescription(_ config: [UInt8]) throws(RTSPError) -> SampleDescription {
        do { return try .aac(audioSpecificConfig: config) } catch {
            throw .noUsableTracks("AAC config \(HexString.encode(config)): \(error)")
        }
    }
}
