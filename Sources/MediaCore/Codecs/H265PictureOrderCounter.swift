/// The picture order count of each H.265 picture in decoding order (ISO/IEC 23008-2 8.3.1):
/// slice_pic_order_cnt_lsb of the first slice segment, its MSB carried from the previous
/// TemporalId 0 picture that is not RASL, RADL or a sub-layer non-reference picture; it resets
/// at IDR and BLA pictures and at a CRA that starts the stream.
public struct H265PictureOrderCounter: Sendable {
    static let sliceHeaderPrefix = 64

    private var parameterSets = ParameterSetTable<H265SequenceParameterSet, H265PictureParameterSet>()
    private var previousMSB: Int64 = 0
    private var previousLSB: Int64 = 0
    private var seenPicture = false

    public init() {}

    /// Keeps a parameter set (SPS or PPS NAL unit); others and damaged sets are ignored.
    public mutating func take(parameterSet nalUnit: ArraySlice<UInt8>) {
        parameterSets.take(nalUnit)
    }

    /// sps_max_num_reorder_pics of the highest sub-layer; nil before an SPS.
    public var declaredReorderDepth: Int? { parameterSets.anySequenceSet.map { Int($0.maxNumReorderPics) } }

    /// Whether `slice` starts a new POC sequence (IDR, BLA, or the stream's first CRA).
    public func startsSequence(_ slice: ArraySlice<UInt8>) -> Bool {
        guard let type = H265NALUnitType(nalUnit: slice) else { return false }
        return type.isIDR || (16...18).contains(type.rawValue) || (type == .cra && !seenPicture)
    }

    /// The POC of the picture whose first slice segment is `slice`; nil when its parameter
    /// sets are unknown or the header is damaged. Once per picture, in decoding order.
    public mutating func pictureOrderCount(firstSlice slice: ArraySlice<UInt8>) -> Int64? {
        guard slice.count >= 3, let type = H265NALUnitType(nalUnit: slice), type.isVCL else { return nil }
        let temporalID = Int(slice[slice.startIndex + 1] & 0x07) - 1
        let resets = startsSequence(slice)
        seenPicture = true
        var r = RBSPReader(rbsp: NALUnit.rbsp(from: slice.dropFirst(2).prefix(Self.sliceHeaderPrefix)), structure: "H.265 slice header")
        do throws(CodecError) {
            guard try r.flag("first_slice_segment_in_pic_flag") else { return nil }
            if type.isIRAP { _ = try r.flag("no_output_of_prior_pics_flag") }
            guard case let (sps, pps)? = parameterSets.sets(pictureSetID: try r.ue("slice_pic_parameter_set_id", max: H265PictureParameterSet.maxID))
            else { return nil }
            try r.skip(Int(pps.numExtraSliceHeaderBits), "slice_reserved_flag")
            _ = try r.ue("slice_type", max: 2)
            if pps.outputFlagPresent { _ = try r.flag("pic_output_flag") }
            if sps.separateColourPlane { try r.skip(2, "colour_plane_id") }
            let lsb: Int64 = type.isIDR ? 0 : Int64(try r.u(Int(sps.log2MaxPicOrderCntLsb), "slice_pic_order_cnt_lsb"))
            let maxLSB = Int64(1) << sps.log2MaxPicOrderCntLsb
            let msb = resets ? 0 : H264PictureOrderCounter.countMSB(lsb: lsb, previousLSB: previousLSB, previousMSB: previousMSB, maxLSB: maxLSB)
            // prevTid0Pic (8.3.1): TemporalId 0, not RASL/RADL (6...9), not a sub-layer
            // non-reference picture (even types below 16).
            let subLayerNonReference = type.rawValue < 16 && type.rawValue % 2 == 0
            if temporalID == 0 && !(6...9).contains(type.rawValue) && !subLayerNonReference {
                (previousMSB, previousLSB) = (msb, lsb)
            }
            return msb + lsb
        } catch {
            return nil
        }
    }
}
