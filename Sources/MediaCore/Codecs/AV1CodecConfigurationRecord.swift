/// AV1CodecConfigurationRecord (AV1 Codec ISO Media File Format Binding 2.3.3): the body of an
/// `av1C` box, and the sequence start of AV1 in Enhanced RTMP/FLV.
///
/// ```
/// marker(1)=1 version(7)=1 | seq_profile(3) seq_level_idx_0(5)
/// seq_tier_0(1) high_bitdepth(1) twelve_bit(1) monochrome(1) chroma_subsampling_x(1)
///   chroma_subsampling_y(1) chroma_sample_position(2)
/// reserved(3)=0 initial_presentation_delay_present(1) initial_presentation_delay_minus_one(4)
/// configOBUs: the sequence header OBU (and metadata OBUs), each with obu_has_size_field = 1
/// ```
public struct AV1CodecConfigurationRecord: Sendable, Equatable {
    static let structure = "AV1CodecConfigurationRecord"
    /// The fixed part before configOBUs.
    static let fixedSize = 4

    public var seqProfile: UInt8
    public var seqLevelIndex0: UInt8
    public var seqTier0: UInt8
    public var highBitDepth: Bool
    public var twelveBit: Bool
    public var monochrome: Bool
    public var chromaSubsamplingX: Bool
    public var chromaSubsamplingY: Bool
    public var chromaSamplePosition: UInt8
    public var initialPresentationDelayMinusOne: UInt8?
    /// OBUs in low-overhead format, each with its size field.
    public var configOBUs: [UInt8]

    /// The record for a sequence header OBU (its payload parsed as `header`).
    public init(sequenceHeader header: AV1SequenceHeader, sequenceHeaderOBU: AV1OBU) {
        seqProfile = header.seqProfile
        seqLevelIndex0 = header.seqLevelIndex0
        seqTier0 = header.seqTier0
        highBitDepth = header.bitDepth > 8
        twelveBit = header.bitDepth == 12
        monochrome = header.monochrome
        chromaSubsamplingX = header.subsamplingX
        chromaSubsamplingY = header.subsamplingY
        chromaSamplePosition = header.chromaSamplePosition
        // ffmpeg and libaom leave the delay out: it describes a decoder model few streams set.
        initialPresentationDelayMinusOne = nil
        configOBUs = sequenceHeaderOBU.serializedWithSize()
    }

    public init(parsing bytes: [UInt8]) throws(CodecError) {
        var r = RecordReader(bytes, structure: Self.structure)
        let first = try r.read(UInt8.self, "marker, version")
        guard first == 0x81 else {
            throw .invalidValue(structure: Self.structure, field: "marker, version", value: Int64(first))
        }
        let second = try r.read(UInt8.self, "seq_profile, seq_level_idx_0")
        seqProfile = second >> 5
        seqLevelIndex0 = second & 0x1F
        let third = try r.read(UInt8.self, "seq_tier_0 .. chroma_sample_position")
        seqTier0 = third >> 7
        highBitDepth = third & 0x40 != 0
        twelveBit = third & 0x20 != 0
        monochrome = third & 0x10 != 0
        chromaSubsamplingX = third & 0x08 != 0
        chromaSubsamplingY = third & 0x04 != 0
        chromaSamplePosition = third & 0x03
        let fourth = try r.read(UInt8.self, "initial_presentation_delay")
        initialPresentationDelayMinusOne = fourth & 0x10 != 0 ? fourth & 0x0F : nil
        configOBUs = try r.readBytes(r.remaining, "configOBUs")
    }

    public func serialized() -> [UInt8] {
        var w = ByteWriter(capacity: Self.fixedSize + configOBUs.count)
        w.write(UInt8(0x81))
        w.write(seqProfile << 5 | seqLevelIndex0 & 0x1F)
        var third = seqTier0 << 7 | chromaSamplePosition & 0x03
        if highBitDepth { third |= 0x40 }
        if twelveBit { third |= 0x20 }
        if monochrome { third |= 0x10 }
        if chromaSubsamplingX { third |= 0x08 }
        if chromaSubsamplingY { third |= 0x04 }
        w.write(third)
        w.write(initialPresentationDelayMinusOne.map { 0x10 | $0 & 0x0F } ?? 0)
        w.write(bytes: configOBUs)
        return w.bytes
    }

    /// The sequence header among configOBUs; nil when the record carries none (allowed: the
    /// stream then has it in band).
    public func sequenceHeader() throws(CodecError) -> AV1SequenceHeader? {
        guard let obu = try AV1OBU.split(configOBUs).first(where: { $0.kind == .sequenceHeader }) else { return nil }
        return try AV1SequenceHeader(payload: obu.payload)
    }
}
