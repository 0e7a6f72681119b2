/// HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1): the body of an `hvcC` box, and
/// the sequence header of H.265 in enhanced FLV.
///
/// ```
/// configurationVersion=1 | profile_space(2) tier(1) profile_idc(5) | compatibility(32) | constraints(48) | level(8)
/// 1111 min_spatial_segmentation_idc(12) | 111111 parallelismType(2) | 111111 chromaFormat(2)
/// 11111 bitDepthLumaMinus8(3) | 11111 bitDepthChromaMinus8(3) | avgFrameRate(16)
/// constantFrameRate(2) numTemporalLayers(3) temporalIdNested(1) lengthSizeMinusOne(2) | numOfArrays(8)
/// { array_completeness(1) 0 NAL_unit_type(6) | numNalus(16) | { nalUnitLength(16) nalUnit }... }...
/// ```
public struct HEVCDecoderConfigurationRecord: Sendable, Equatable {
    /// numOfArrays is an 8-bit field.
    public static let maxArrays = 255
    /// numNalus and nalUnitLength are 16-bit fields.
    public static let maxUnitsPerArray = Int(UInt16.max)
    public static let maxUnitLength = Int(UInt16.max)

    /// general_profile_space ... general_constraint_indicator_flags.
    public var generalProfile: ProfileTierLevel.Profile
    public var generalLevelIdc: UInt8
    /// 0...4095; 0 means no guarantee about spatial segmentation.
    public var minSpatialSegmentationIdc: UInt16
    /// 0 mixed or unknown, 1 slices, 2 tiles, 3 wavefront (entropy coding sync).
    public var parallelismType: UInt8
    public var chromaFormatIdc: UInt8
    public var bitDepthLumaMinus8: UInt8
    public var bitDepthChromaMinus8: UInt8
    /// Frames per 256 seconds; 0 unspecified.
    public var avgFrameRate: UInt16
    /// 0 unknown, 1 constant, 2 constant per temporal layer.
    public var constantFrameRate: UInt8
    /// 1...7 (0 unknown).
    public var numTemporalLayers: UInt8
    public var temporalIdNested: Bool
    public var nalUnitLengthSize: NALUnitLengthSize
    public var arrays: [NALUnitArray]

    /// One array of NAL units of the same type.
    public struct NALUnitArray: Sendable, Equatable {
        /// array_completeness: every NAL unit of this type is here, none in the samples.
        public var isComplete: Bool
        public var nalUnitType: H265NALUnitType
        public var nalUnits: [[UInt8]]

        public init(isComplete: Bool, nalUnitType: H265NALUnitType, nalUnits: [[UInt8]]) {
            self.isComplete = isComplete
            self.nalUnitType = nalUnitType
            self.nalUnits = nalUnits
        }
    }

    private static let structure = "HEVCDecoderConfigurationRecord"

    /// Builds a record from parameter sets (whole NAL units), as ffmpeg does: profile, tier,
    /// level, compatibility and constraint flags from the first SPS's profile_tier_level;
    /// chroma format and bit depths from the SPS; numTemporalLayers the larger of the VPS's and
    /// SPS's sub-layer counts; temporalIdNested from the SPS; min_spatial_segmentation_idc from
    /// the SPS VUI and parallelismType from the first PPS (0 when the former is 0); frame rate
    /// fields 0 (unspecified); 4-byte lengths. VPS, SPS and PPS arrays are marked complete;
    /// `seiNALUnits` (prefix SEI, for example an encoder's version string) go in an
    /// incomplete fourth array.
    public init(videoParameterSets: [[UInt8]], sequenceParameterSets: [[UInt8]], pictureParameterSets: [[UInt8]],
                seiNALUnits: [[UInt8]] = []) throws(CodecError) {
        guard let firstVPS = videoParameterSets.first else { throw .missing(structure: Self.structure, element: "video parameter set") }
        guard let firstSPS = sequenceParameterSets.first else { throw .missing(structure: Self.structure, element: "sequence parameter set") }
        guard let firstPPS = pictureParameterSets.first else { throw .missing(structure: Self.structure, element: "picture parameter set") }
        let vps = try H265VideoParameterSet(nalUnit: firstVPS)
        let sps = try H265SequenceParameterSet(nalUnit: firstSPS)
        let pps = try H265PictureParameterSet(nalUnit: firstPPS)
        for unit in videoParameterSets.dropFirst() { _ = try H265VideoParameterSet(nalUnit: unit) }
        for unit in sequenceParameterSets.dropFirst() { _ = try H265SequenceParameterSet(nalUnit: unit) }
        for unit in pictureParameterSets.dropFirst() { _ = try H265PictureParameterSet(nalUnit: unit) }
        for unit in seiNALUnits {
            let type = H265NALUnitType(nalUnit: unit)
            guard type == .prefixSEI || type == .suffixSEI else {
                throw .unexpectedNALUnitType(structure: Self.structure, found: type?.rawValue ?? 0)
            }
        }

        generalProfile = sps.profileTierLevel.general
        generalLevelIdc = sps.profileTierLevel.generalLevelIdc
        minSpatialSegmentationIdc = sps.vui?.minSpatialSegmentationIdc ?? 0
        switch (pps.entropyCodingSyncEnabled, pps.tilesEnabled) {
        case _ where minSpatialSegmentationIdc == 0: parallelismType = 0
        case (true, true): parallelismType = 0
        case (true, false): parallelismType = 3
        case (false, true): parallelismType = 2
        case (false, false): parallelismType = 1
        }
        chromaFormatIdc = sps.chromaFormatIdc
        bitDepthLumaMinus8 = sps.bitDepthLuma - 8
        bitDepthChromaMinus8 = sps.bitDepthChroma - 8
        avgFrameRate = 0
        constantFrameRate = 0
        numTemporalLayers = max(vps.maxSubLayers, sps.maxSubLayers)
        temporalIdNested = sps.temporalIdNesting
        nalUnitLengthSize = .four
        arrays = [
            NALUnitArray(isComplete: true, nalUnitType: .videoParameterSet, nalUnits: videoParameterSets),
            NALUnitArray(isComplete: true, nalUnitType: .sequenceParameterSet, nalUnits: sequenceParameterSets),
            NALUnitArray(isComplete: true, nalUnitType: .pictureParameterSet, nalUnits: pictureParameterSets),
        ]
        if !seiNALUnits.isEmpty {
            arrays.append(NALUnitArray(isComplete: false, nalUnitType: .prefixSEI, nalUnits: seiNALUnits))
        }
        try validate()
    }

    /// Parses an hvcC body. Reserved bits are not checked; bytes after the last array are
    /// ignored.
    public init(parsing bytes: [UInt8]) throws(CodecError) {
        var r = RecordReader(bytes, structure: Self.structure)
        try r.readConfigurationVersion()
        let profileByte = try r.read(UInt8.self, "general_profile_idc")
        let compatibility = try r.read(UInt32.self, "general_profile_compatibility_flags")
        let constraints = try r.readUInt(byteCount: 6, "general_constraint_indicator_flags")
        generalProfile = ProfileTierLevel.Profile(profileSpace: profileByte >> 6, tierFlag: profileByte & 0x20 != 0,
                                                  profileIdc: profileByte & 0x1F, compatibilityFlags: compatibility,
                                                  constraintIndicatorFlags: constraints)
        generalLevelIdc = try r.read(UInt8.self, "general_level_idc")
        minSpatialSegmentationIdc = try r.read(UInt16.self, "min_spatial_segmentation_idc") & 0x0FFF
        parallelismType = try r.read(UInt8.self, "parallelismType") & 0x03
        chromaFormatIdc = try r.read(UInt8.self, "chromaFormat") & 0x03
        bitDepthLumaMinus8 = try r.read(UInt8.self, "bitDepthLumaMinus8") & 0x07
        bitDepthChromaMinus8 = try r.read(UInt8.self, "bitDepthChromaMinus8") & 0x07
        avgFrameRate = try r.read(UInt16.self, "avgFrameRate")
        let packed = try r.read(UInt8.self, "numTemporalLayers")
        constantFrameRate = packed >> 6
        numTemporalLayers = (packed >> 3) & 0x07
        temporalIdNested = packed & 0x04 != 0
        nalUnitLengthSize = try NALUnitLengthSize(minusOne: packed & 0x03, structure: Self.structure)
        let arrayCount = Int(try r.read(UInt8.self, "numOfArrays"))
        var arrays: [NALUnitArray] = []
        for _ in 0..<arrayCount {
            let typeByte = try r.read(UInt8.self, "NAL_unit_type")
            let unitCount = Int(try r.read(UInt16.self, "numNalus"))
            let units = try r.readNALUnits(count: unitCount, "nalUnit")
            arrays.append(NALUnitArray(isComplete: typeByte & 0x80 != 0,
                                       nalUnitType: H265NALUnitType(rawValue: typeByte & 0x3F), nalUnits: units))
        }
        self.arrays = arrays
    }

    /// All NAL units of `type`, across arrays, in record order.
    public func nalUnits(ofType type: H265NALUnitType) -> [[UInt8]] {
        arrays.filter { $0.nalUnitType == type }.flatMap(\.nalUnits)
    }

    public var videoParameterSets: [[UInt8]] { nalUnits(ofType: .videoParameterSet) }
    public var sequenceParameterSets: [[UInt8]] { nalUnits(ofType: .sequenceParameterSet) }
    public var pictureParameterSets: [[UInt8]] { nalUnits(ofType: .pictureParameterSet) }

    /// The first SPS, parsed.
    public func firstSequenceParameterSet() throws(CodecError) -> H265SequenceParameterSet {
        try .first(of: sequenceParameterSets, in: Self.structure)
    }

    /// Writes the record (the hvcC body). Throws when a list or a unit is too long for its field.
    public func write(to writer: inout ByteWriter) throws(CodecError) {
        try validate()
        writer.write(UInt8(1))
        writer.write(UInt8((generalProfile.profileSpace & 0x03) << 6 | (generalProfile.tierFlag ? 0x20 : 0)
                           | (generalProfile.profileIdc & 0x1F)))
        writer.write(generalProfile.compatibilityFlags)
        writer.writeUInt(generalProfile.constraintIndicatorFlags, byteCount: 6)
        writer.write(generalLevelIdc)
        writer.write(UInt16(0xF000 | (minSpatialSegmentationIdc & 0x0FFF)))
        writer.write(UInt8(0xFC | (parallelismType & 0x03)))
        writer.write(UInt8(0xFC | (chromaFormatIdc & 0x03)))
        writer.write(UInt8(0xF8 | (bitDepthLumaMinus8 & 0x07)))
        writer.write(UInt8(0xF8 | (bitDepthChromaMinus8 & 0x07)))
        writer.write(avgFrameRate)
        writer.write(UInt8((constantFrameRate & 0x03) << 6 | (numTemporalLayers & 0x07) << 3
                           | (temporalIdNested ? 0x04 : 0) | UInt8(nalUnitLengthSize.rawValue - 1)))
        writer.write(UInt8(arrays.count))
        for array in arrays {
            writer.write(UInt8((array.isComplete ? 0x80 : 0) | array.nalUnitType.rawValue))
            writer.write(UInt16(array.nalUnits.count))
            for unit in array.nalUnits {
                writer.write(UInt16(unit.count))
                writer.write(bytes: unit)
            }
        }
    }

    /// The record's bytes (the hvcC body).
    public func serialized() throws(CodecError) -> [UInt8] {
        var writer = ByteWriter()
        try write(to: &writer)
        return writer.bytes
    }

    private func validate() throws(CodecError) {
        guard arrays.count <= Self.maxArrays else {
            throw .limitExceeded(structure: Self.structure, field: "numOfArrays", value: arrays.count, limit: Self.maxArrays)
        }
        for array in arrays {
            guard array.nalUnits.count <= Self.maxUnitsPerArray else {
                throw .limitExceeded(structure: Self.structure, field: "numNalus", value: array.nalUnits.count, limit: Self.maxUnitsPerArray)
            }
            for unit in array.nalUnits where unit.count > Self.maxUnitLength {
                throw .limitExceeded(structure: Self.structure, field: "nalUnitLength", value: unit.count, limit: Self.maxUnitLength)
            }
        }
    }
}
