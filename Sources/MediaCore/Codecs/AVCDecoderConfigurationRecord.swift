/// AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1): the body of an `avcC` box, and
/// the sequence header of H.264 in FLV. Holds the parameter sets a decoder needs first.
///
/// ```
/// configurationVersion=1 | profile | compatibility | level
/// 111111 lengthSizeMinusOne(2) | 111 numSPS(5) | { length(16) SPS }... | numPPS(8) | { length(16) PPS }...
/// [High profiles] 111111 chroma_format(2) | 11111 luma-8(3) | 11111 chroma-8(3) | numSPSExt(8) | { length(16) ext }...
/// ```
public struct AVCDecoderConfigurationRecord: Sendable, Equatable {
    /// numOfSequenceParameterSets is a 5-bit field.
    public static let maxSequenceParameterSets = 31
    /// numOfPictureParameterSets and numOfSequenceParameterSetExt are 8-bit fields.
    public static let maxPictureParameterSets = 255
    /// Each parameter set is stored behind a 16-bit length.
    public static let maxParameterSetLength = Int(UInt16.max)

    public var profileIndication: UInt8
    public var profileCompatibility: UInt8
    public var levelIndication: UInt8
    public var nalUnitLengthSize: NALUnitLengthSize
    /// Whole SPS NAL units (header included).
    public var sequenceParameterSets: [[UInt8]]
    /// Whole PPS NAL units.
    public var pictureParameterSets: [[UInt8]]
    /// The fields 5.3.3.1.2 adds for High profiles; nil when absent (many encoders omit them,
    /// and Baseline/Main/Extended records never have them).
    public var highProfileFields: HighProfileFields?

    public struct HighProfileFields: Sendable, Equatable {
        public var chromaFormat: UInt8
        public var bitDepthLumaMinus8: UInt8
        public var bitDepthChromaMinus8: UInt8
        /// SPS extension NAL units (type 13).
        public var sequenceParameterSetExtensions: [[UInt8]]

        public init(chromaFormat: UInt8, bitDepthLumaMinus8: UInt8, bitDepthChromaMinus8: UInt8,
                    sequenceParameterSetExtensions: [[UInt8]] = []) {
            self.chromaFormat = chromaFormat
            self.bitDepthLumaMinus8 = bitDepthLumaMinus8
            self.bitDepthChromaMinus8 = bitDepthChromaMinus8
            self.sequenceParameterSetExtensions = sequenceParameterSetExtensions
        }
    }

    private static let structure = "AVCDecoderConfigurationRecord"

    /// Builds a record from SPS and PPS NAL units: profile, compatibility and level come from
    /// the first SPS, lengths are 4 bytes, and High profiles get the chroma format and bit
    /// depth fields.
    public init(sequenceParameterSets: [[UInt8]], pictureParameterSets: [[UInt8]]) throws(CodecError) {
        guard let first = sequenceParameterSets.first else {
            throw .missing(structure: Self.structure, element: "sequence parameter set")
        }
        guard !pictureParameterSets.isEmpty else {
            throw .missing(structure: Self.structure, element: "picture parameter set")
        }
        for pps in pictureParameterSets {
            let type = H264NALUnitType(nalUnit: pps)
            guard type == .pictureParameterSet else {
                throw .unexpectedNALUnitType(structure: Self.structure, found: type?.rawValue ?? 0)
            }
        }
        let sps = try H264SequenceParameterSet(nalUnit: first)
        for other in sequenceParameterSets.dropFirst() { _ = try H264SequenceParameterSet(nalUnit: other) }
        profileIndication = sps.profileIdc
        profileCompatibility = sps.constraintFlags
        levelIndication = sps.levelIdc
        nalUnitLengthSize = .four
        self.sequenceParameterSets = sequenceParameterSets
        self.pictureParameterSets = pictureParameterSets
        if H264SequenceParameterSet.highProfiles.contains(sps.profileIdc) {
            highProfileFields = HighProfileFields(chromaFormat: sps.chromaFormatIdc,
                                                  bitDepthLumaMinus8: sps.bitDepthLuma - 8,
                                                  bitDepthChromaMinus8: sps.bitDepthChroma - 8)
        }
        try validate()
    }

    /// Parses an avcC body. Bytes after the PPS list are read as the High profile fields only
    /// for High profiles and only when at least their four fixed bytes are there; other
    /// trailing bytes are ignored.
    public init(parsing bytes: [UInt8]) throws(CodecError) {
        var r = RecordReader(bytes, structure: Self.structure)
        try r.readConfigurationVersion()
        profileIndication = try r.read(UInt8.self, "AVCProfileIndication")
        profileCompatibility = try r.read(UInt8.self, "profile_compatibility")
        levelIndication = try r.read(UInt8.self, "AVCLevelIndication")
        nalUnitLengthSize = try NALUnitLengthSize(minusOne: try r.read(UInt8.self, "lengthSizeMinusOne") & 0x03,
                                                  structure: Self.structure)
        let spsCount = Int(try r.read(UInt8.self, "numOfSequenceParameterSets") & 0x1F)
        sequenceParameterSets = try r.readNALUnits(count: spsCount, "sequenceParameterSetNALUnit")
        let ppsCount = Int(try r.read(UInt8.self, "numOfPictureParameterSets"))
        pictureParameterSets = try r.readNALUnits(count: ppsCount, "pictureParameterSetNALUnit")
        if H264SequenceParameterSet.highProfiles.contains(profileIndication) && r.remaining >= 4 {
            let chroma = try r.read(UInt8.self, "chroma_format") & 0x03
            let luma = try r.read(UInt8.self, "bit_depth_luma_minus8") & 0x07
            let chromaDepth = try r.read(UInt8.self, "bit_depth_chroma_minus8") & 0x07
            let extCount = Int(try r.read(UInt8.self, "numOfSequenceParameterSetExt"))
            let extensions = try r.readNALUnits(count: extCount, "sequenceParameterSetExtNALUnit")
            highProfileFields = HighProfileFields(chromaFormat: chroma, bitDepthLumaMinus8: luma,
                                                  bitDepthChromaMinus8: chromaDepth,
                                                  sequenceParameterSetExtensions: extensions)
        } else {
            highProfileFields = nil
        }
    }

    /// The first SPS, parsed.
    public func firstSequenceParameterSet() throws(CodecError) -> H264SequenceParameterSet {
        try .first(of: sequenceParameterSets, in: Self.structure)
    }

    /// Writes the record (the avcC body). Throws when a list or a set is too long for its field.
    public func write(to writer: inout ByteWriter) throws(CodecError) {
        try validate()
        writer.write(UInt8(1))
        writer.write(profileIndication)
        writer.write(profileCompatibility)
        writer.write(levelIndication)
        writer.write(UInt8(0xFC | UInt8(nalUnitLengthSize.rawValue - 1)))
        writer.write(UInt8(0xE0 | UInt8(sequenceParameterSets.count)))
        Self.write(sequenceParameterSets, to: &writer)
        writer.write(UInt8(pictureParameterSets.count))
        Self.write(pictureParameterSets, to: &writer)
        if let high = highProfileFields {
            writer.write(UInt8(0xFC | (high.chromaFormat & 0x03)))
            writer.write(UInt8(0xF8 | (high.bitDepthLumaMinus8 & 0x07)))
            writer.write(UInt8(0xF8 | (high.bitDepthChromaMinus8 & 0x07)))
            writer.write(UInt8(high.sequenceParameterSetExtensions.count))
            Self.write(high.sequenceParameterSetExtensions, to: &writer)
        }
    }

    /// The record's bytes (the avcC body).
    public func serialized() throws(CodecError) -> [UInt8] {
        var writer = ByteWriter()
        try write(to: &writer)
        return writer.bytes
    }

    private func validate() throws(CodecError) {
        let lists: [(String, [[UInt8]], Int)] = [
            ("numOfSequenceParameterSets", sequenceParameterSets, Self.maxSequenceParameterSets),
            ("numOfPictureParameterSets", pictureParameterSets, Self.maxPictureParameterSets),
            ("numOfSequenceParameterSetExt", highProfileFields?.sequenceParameterSetExtensions ?? [], Self.maxPictureParameterSets),
        ]
        for (field, units, limit) in lists {
            guard units.count <= limit else {
                throw .limitExceeded(structure: Self.structure, field: field, value: units.count, limit: limit)
            }
            for unit in units where unit.count > Self.maxParameterSetLength {
                throw .limitExceeded(structure: Self.structure, field: "parameter set length",
                                     value: unit.count, limit: Self.maxParameterSetLength)
            }
        }
    }

    private static func write(_ units: [[UInt8]], to writer: inout ByteWriter) {
        for unit in units {
            writer.write(UInt16(unit.count))
            writer.write(bytes: unit)
        }
    }
}
