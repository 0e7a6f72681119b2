import MediaCore

/// An H.264 or H.265 access unit from an Annex B byte stream (a TS video PES), split into what
/// MP4 keeps in the sample and what it keeps in the sample description:
///
/// - access unit delimiters are dropped (MP4 samples are delimited by the container);
/// - parameter sets (VPS, SPS, PPS) go out of band, into the decoder configuration record;
/// - everything else (slices, SEI, end of sequence, filler) stays, in order, as 4-byte
///   length-prefixed NAL units.
///
/// A keyframe is an access unit with an IDR slice (H.264, ISO/IEC 14496-10 7.4.1.2.4) or an
/// IRAP picture (H.265: BLA, IDR or CRA, ISO/IEC 23008-2 7.4.2.2).
public struct AnnexBAccessUnit: Sendable, Equatable {
    /// The sample: length-prefixed NAL units (a new array: the 3- or 4-byte start codes
    /// become 4-byte lengths, and delimiters and parameter sets leave).
    public var payload: ArraySlice<UInt8>
    /// H.265 only.
    public var videoParameterSets: [[UInt8]]
    public var sequenceParameterSets: [[UInt8]]
    public var pictureParameterSets: [[UInt8]]
    public var isKeyframe: Bool
    /// Whether the unit holds any coded slice (an access unit of parameter sets alone does not).
    public var hasSlices: Bool

    public init(annexB bytes: [UInt8], codec: Codec) throws(CodecError) {
        try self.init(nalUnits: try NALUnit.splitAnnexB(bytes[...]), codec: codec)
    }

    /// From a slice (a TS PES payload, not copied first).
    public init(annexB bytes: ArraySlice<UInt8>, codec: Codec) throws(CodecError) {
        try self.init(nalUnits: try NALUnit.splitAnnexB(bytes), codec: codec)
    }

    /// The same split from NAL units already delimited (an RTP depacketizer's output).
    public init(nalUnits: [ArraySlice<UInt8>], codec: Codec) throws(CodecError) {
        switch codec {
        case .h264: try self.init(nalUnits: nalUnits, kind: H264NALUnitType.self)
        case .h265: try self.init(nalUnits: nalUnits, kind: H265NALUnitType.self)
        case .aac, .mp3, .ac3, .eac3, .opus, .pcmMulaw, .pcmAlaw, .av1, .vp9:
            throw .unsupported(structure: "Annex B access unit", feature: "codec \(codec)")
        }
    }

    private init<Kind: NALUnitKind>(nalUnits: [ArraySlice<UInt8>], kind: Kind.Type) throws(CodecError) {
        var kept: [ArraySlice<UInt8>] = []
        var vps: [[UInt8]] = [], sps: [[UInt8]] = [], pps: [[UInt8]] = []
        var keyframe = false, slices = false
        for unit in nalUnits {
            guard unit.count >= Kind.headerByteCount, let type = Kind(nalUnit: unit) else { continue }
            switch type {
            case .accessUnitDelimiter: continue
            case .sequenceParameterSet: sps.append(Array(unit))
            case .pictureParameterSet: pps.append(Array(unit))
            case _ where type.isVideoParameterSet: vps.append(Array(unit))
            default:
                keyframe = keyframe || type.isRandomAccessPoint
                slices = slices || type.isVCL
                kept.append(unit)
            }
        }
        payload = try NALUnit.lengthPrefixed(kept)[...]
        videoParameterSets = vps
        sequenceParameterSets = sps
        pictureParameterSets = pps
        isKeyframe = keyframe
        hasSlices = slices
    }
}
