/// Descriptions of the audio codecs that carry their format in every frame (MP3, AC-3,
/// E-AC-3) or in a small header (Opus), or not at all (G.711), and how long one of their
/// frames lasts: containers with millisecond or 90 kHz clocks time audio from this.
///
/// What `configuration` holds for each: nothing for MP3 and G.711, the `dac3` body for AC-3,
/// the `dec3` body for E-AC-3, the `dOps` body for Opus (the MP4 forms, as for video).
extension SampleDescription {
    /// G.711 is 8 kHz telephony (ITU-T G.711 1); FLV can say nothing else for it.
    public static let g711SampleRate: UInt32 = 8000

    /// An MP3 description from a frame header; layers I and II (MP1/MP2) are not MP3 and refused.
    public static func mp3(header: MPEGAudioFrameHeader) throws(CodecError) -> SampleDescription {
        guard header.layer == 3 else {
            throw .unsupported(structure: "MPEG audio frame header", feature: "layer \(header.layer) (mp\(header.layer))")
        }
        return SampleDescription(codec: .mp3, configuration: [], sampleRate: header.sampleRate,
                                 channelCount: UInt16(header.channelCount))
    }

    public static func ac3(header: AC3SyncFrameHeader) -> SampleDescription {
        SampleDescription(codec: .ac3, configuration: header.specificBox.serialized(), sampleRate: header.sampleRate,
                          channelCount: UInt16(header.channelCount))
    }

    /// An E-AC-3 description from an independent substream 0 frame. Dependent substreams
    /// (7.1 and beyond) and further programs are refused: `dec3` would need all of them.
    public static func eac3(header: EAC3SyncFrameHeader) throws(CodecError) -> SampleDescription {
        guard header.strmtyp != 1, header.substreamid == 0 else {
            throw .unsupported(structure: "E-AC-3 syncframe", feature: "substream \(header.substreamid) of type \(header.strmtyp)")
        }
        return SampleDescription(codec: .eac3, configuration: header.specificBox.serialized(), sampleRate: header.sampleRate,
                                 channelCount: UInt16(header.channelCount))
    }

    /// An Opus description: 48 kHz whatever the input rate was (RFC 7845 4).
    public static func opus(header: OpusIdentificationHeader) -> SampleDescription {
        SampleDescription(codec: .opus, configuration: header.opusSpecificBox(), sampleRate: OpusIdentificationHeader.sampleRate,
                          channelCount: UInt16(header.channelCount))
    }

    /// A G.711 description (`codec` .pcmMulaw or .pcmAlaw): one byte per sample and channel.
    public static func g711(_ codec: Codec, sampleRate: UInt32 = g711SampleRate, channelCount: UInt16) -> SampleDescription {
        precondition(codec == .pcmMulaw || codec == .pcmAlaw, "G.711 is mu-law or A-law")
        return SampleDescription(codec: codec, configuration: [], sampleRate: sampleRate, channelCount: channelCount)
    }

    /// Samples per channel that one frame's `payload` decodes to, from the bitstream: MP3
    /// 1152 or 576, AC-3 1536, E-AC-3 256 per block, Opus from the TOC byte, G.711 one per byte
    /// and channel, AAC 1024 (960-sample AAC is not carried by the containers read here).
    /// Nil for video.
    public func samplesPerFrame(_ payload: [UInt8]) throws(CodecError) -> Int? {
        try samplesPerFrame(payload[...])
    }

    /// The same for a frame held as a slice (a `MediaFrame`'s payload).
    public func samplesPerFrame(_ payload: ArraySlice<UInt8>) throws(CodecError) -> Int? {
        switch codec {
        case .aac: return 1024
        case .mp3: return try MPEGAudioFrameHeader(parsing: payload).samplesPerFrame
        case .ac3: return AC3SyncFrameHeader.samplesPerFrame
        case .eac3: return try EAC3SyncFrameHeader(parsing: payload).samplesPerFrame
        case .opus: return try OpusPacket.sampleCount(of: payload)
        case .pcmMulaw, .pcmAlaw: return payload.count / max(1, Int(channelCount))
        case .h264, .h265, .av1, .vp9: return nil
        }
    }
}
