extension SampleDescription {
    /// An H.264 description from an avcC body (kept as the configuration); the size is the
    /// first SPS's displayed size.
    public static func h264(configuration avcC: [UInt8]) throws(CodecError) -> SampleDescription {
        let record = try AVCDecoderConfigurationRecord(parsing: avcC)
        let sps = try record.firstSequenceParameterSet()
        let (width, height) = try dimensions(sps.width, sps.height, structure: "H.264 SPS")
        return SampleDescription(codec: .h264, configuration: avcC, width: width, height: height)
    }

    /// An H.265 description from an hvcC body; the size is the first SPS's displayed size.
    public static func h265(configuration hvcC: [UInt8]) throws(CodecError) -> SampleDescription {
        let record = try HEVCDecoderConfigurationRecord(parsing: hvcC)
        let sps = try record.firstSequenceParameterSet()
        let (width, height) = try dimensions(sps.width, sps.height, structure: "H.265 SPS")
        return SampleDescription(codec: .h265, configuration: hvcC, width: width, height: height)
    }

    /// An AAC description from an AudioSpecificConfig: the output sample rate (SBR's when
    /// signalled, as ffprobe reports it) and channel count.
    public static func aac(audioSpecificConfig asc: [UInt8]) throws(CodecError) -> SampleDescription {
        let config = try AudioSpecificConfig(parsing: asc)
        guard let channels = config.channelCount else {
            throw .unsupported(structure: "AudioSpecificConfig", feature: "channelConfiguration \(config.channelConfiguration)")
        }
        return SampleDescription(codec: .aac, configuration: asc, sampleRate: config.outputSampleRate,
                                 channelCount: UInt16(channels))
    }

    /// An AV1 description from an av1C body whose configOBUs hold the sequence header; the
    /// size is the sequence's maximum frame size.
    public static func av1(configuration av1C: [UInt8]) throws(CodecError) -> SampleDescription {
        let record = try AV1CodecConfigurationRecord(parsing: av1C)
        guard let header = try record.sequenceHeader() else {
            throw .missing(structure: "AV1CodecConfigurationRecord", element: "sequence header OBU in configOBUs")
        }
        let (width, height) = try dimensions(header.maxFrameWidth, header.maxFrameHeight, structure: "AV1 sequence header")
        return SampleDescription(codec: .av1, configuration: av1C, width: width, height: height)
    }

    /// An AV1 description from the sequence header OBU of a key temporal unit.
    public static func av1(sequenceHeaderOBU obu: AV1OBU) throws(CodecError) -> SampleDescription {
        let header = try AV1SequenceHeader(payload: obu.payload)
        return try av1(configuration: AV1CodecConfigurationRecord(sequenceHeader: header, sequenceHeaderOBU: obu).serialized())
    }

    /// A VP9 description: the vpcC body (version and flags included) and the size of a key
    /// frame, which the record does not carry.
    public static func vp9(configuration vpcC: [UInt8], keyFrame: VP9FrameHeader) throws(CodecError) -> SampleDescription {
        _ = try VPCodecConfigurationRecord(parsing: vpcC)
        guard let frameWidth = keyFrame.width, let frameHeight = keyFrame.height else {
            throw .missing(structure: "VP9 key frame", element: "frame_size")
        }
        let (width, height) = try dimensions(frameWidth, frameHeight, structure: "VP9 frame_size")
        return SampleDescription(codec: .vp9, configuration: vpcC, width: width, height: height)
    }

    /// Sizes as the sample entry stores them (16 bits); parsers already bound them far lower.
    private static func dimensions(_ width: Int, _ height: Int, structure: String) throws(CodecError) -> (UInt16, UInt16) {
        guard let w = UInt16(exactly: width), let h = UInt16(exactly: height) else {
            throw .limitExceeded(structure: structure, field: "width or height", value: max(width, height), limit: Int(UInt16.max))
        }
        return (w, h)
    }
}
