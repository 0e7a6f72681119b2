// Codecs: what the recorder knows about H.264, H.265 and AAC, independent of any container.
//
// - NAL units (`NALUnit`, `LengthPrefixedNALUnitIterator`): Annex B and length-prefixed
//   framing, emulation prevention, NAL unit types (`H264NALUnitType`, `H265NALUnitType`).
// - Parameter sets, parsed from a whole NAL unit: `H264SequenceParameterSet`,
//   `H265VideoParameterSet`, `H265SequenceParameterSet`, `H265PictureParameterSet`, with
//   `ProfileTierLevel` and `VideoUsabilityInformation` shared where the specs share them. Each
//   parser reads every syntax element up to rbsp_trailing_bits, so a truncated set always throws.
// - Decoder configuration records as MP4 stores them (ISO/IEC 14496-15):
//   `AVCDecoderConfigurationRecord` (avcC body) and `HEVCDecoderConfigurationRecord` (hvcC
//   body): built from parameter sets, parsed, serialized.
// - AAC: `AudioSpecificConfig` (the esds DecoderSpecificInfo) and `ADTSHeader` (MPEG-TS).
// - Other audio: `MPEGAudioFrameHeader` (MP1/MP2/MP3), `AC3SyncFrameHeader` -> `AC3SpecificBox`
//   (dac3), `EAC3SyncFrameHeader` -> `EC3SpecificBox` (dec3), `OpusIdentificationHeader`
//   (OpusHead and dOps) and `OpusPacket` (duration from the TOC byte); G.711 needs nothing.
//   `SampleDescription.samplesPerFrame(_:)` gives any audio frame's length in samples.
// - `SampleDescription.h264/.h265/.aac`: a record's bytes to the geometry or audio format an MP4
//   sample entry needs.
//
// Every parser takes untrusted bytes and throws `CodecError`; none traps. Containers (ISO BMFF,
// FLV, MPEG-TS) build on this layer and never the other way round.

/// Why codec data was refused. Each case names the structure (and the syntax element, in the
/// spec's spelling) so that a log line alone locates the problem.
public enum CodecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The data ended inside `field` of `structure`.
    case truncated(structure: String, field: String, ByteReaderError)
    /// `field` holds a value that its clause forbids (or that this layer cannot represent).
    case invalidValue(structure: String, field: String, value: Int64)
    /// An Exp-Golomb code with more than 31 leading zeros: no valid ue(v)/se(v) is that long.
    case malformedExpGolomb(structure: String, field: String)
    /// A NAL unit of another type than the parser expects.
    case unexpectedNALUnitType(structure: String, found: UInt8)
    /// rbsp_stop_one_bit missing after the last syntax element (7.3.2.11): the data was cut.
    case missingStopBit(structure: String)
    /// A count or size beyond a named limit (the limit's constant says why).
    case limitExceeded(structure: String, field: String, value: Int, limit: Int)
    /// A required parameter set (or other element) is absent.
    case missing(structure: String, element: String)
    /// Annex B data that does not start with a start code (B.2).
    case invalidAnnexB(reason: String, at: Int)
    /// A valid feature that this layer does not implement.
    case unsupported(structure: String, feature: String)

    public var description: String {
        switch self {
        case let .truncated(structure, field, underlying):
            return "\(structure): data ends inside \(field) (\(underlying))"
        case let .invalidValue(structure, field, value):
            return "\(structure): invalid \(field) = \(value)"
        case let .malformedExpGolomb(structure, field):
            return "\(structure): malformed Exp-Golomb code for \(field)"
        case let .unexpectedNALUnitType(structure, found):
            return "\(structure): unexpected NAL unit type \(found)"
        case let .missingStopBit(structure):
            return "\(structure): rbsp_stop_one_bit missing (data cut short)"
        case let .limitExceeded(structure, field, value, limit):
            return "\(structure): \(field) = \(value) exceeds the limit \(limit)"
        case let .missing(structure, element):
            return "\(structure): missing \(element)"
        case let .invalidAnnexB(reason, at):
            return "Annex B byte stream: \(reason) at offset \(at)"
        case let .unsupported(structure, feature):
            return "\(structure): unsupported \(feature)"
        }
    }
}
