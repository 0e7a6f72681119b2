/// The picture order count of each H.264 picture in decoding order (ISO/IEC 14496-10 8.2.1):
/// the order pictures are shown in, which RTP does not carry as decode times. Types 0, 1 and 2
/// from the slice header and the SPS; it resets at each IDR. memory_management_control_operation
/// 5 (a POC reset without an IDR, which x264, openh264 and cameras do not send) is not read:
/// such a picture counts on from the previous one.
public struct H264PictureOrderCounter: Sendable {
    /// Slice header elements up to the POC fields sit in the first bytes; this many bounds the
    /// copy made to remove emulation prevention.
    static let sliceHeaderPrefix = 64

    private var parameterSets = ParameterSetTable<H264SequenceParameterSet, H264PictureParameterSet>()
    // Type 0 (8.2.1.1): the previous reference picture's POC MSB and LSB.
    private var previousMSB: Int64 = 0
    private var previousLSB: Int64 = 0
    // Types 1 and 2 (8.2.1.2, 8.2.1.3).
    private var previousFrameNumOffset: Int64 = 0
    private var previousFrameNum: Int64 = 0

    public init() {}

    /// Keeps a parameter set (SPS or PPS NAL unit); others and damaged sets are ignored.
    public mutating func take(parameterSet nalUnit: ArraySlice<UInt8>) {
        parameterSets.take(nalUnit)
    }

    /// The reorder depth the stream declares (max_num_reorder_frames of the VUI); 0 for POC type
    /// 2 (output order is decoding order); nil when the SPS does not say.
    public var declaredReorderDepth: Int? {
        guard let sps = parameterSets.anySequenceSet else { return nil }
        if case .type2 = sps.picOrderCount { return 0 }
        return sps.vui?.maxNumReorderFrames.map(Int.init)
    }

    /// The POC of the picture whose first slice is `slice` (a VCL NAL unit); nil when its
    /// parameter sets are unknown or the header is damaged. Call once per picture, in decoding
    /// order.
    public mutating func pictureOrderCount(firstSlice slice: ArraySlice<UInt8>) -> Int64? {
        guard let type = H264NALUnitType(nalUnit: slice), type.isVCL, let header = slice.first else { return nil }
        let isReference = header & 0x60 != 0
        let isIDR = type.isIDR
        var r = RBSPReader(rbsp: NALUnit.rbsp(from: slice.dropFirst().prefix(Self.sliceHeaderPrefix)), structure: "H.264 slice header")
        do throws(CodecError) {
            _ = try r.ue("first_mb_in_slice")
            _ = try r.ue("slice_type", max: 9)
            guard case let (sps, pps)? = parameterSets.sets(pictureSetID: try r.ue("pic_parameter_set_id", max: H264PictureParameterSet.maxID))
            else { return nil }
            if sps.separateColourPlane { try r.skip(2, "colour_plane_id") }
            let frameNum = Int64(try r.u(Int(sps.log2MaxFrameNum), "frame_num"))
            var fieldPicture = false
            if !sps.frameMbsOnly {
                fieldPicture = try r.flag("field_pic_flag")
                if fieldPicture { _ = try r.flag("bottom_field_flag") }
            }
            if isIDR { _ = try r.ue("idr_pic_id", max: 65535) }
            let maxFrameNum = Int64(1) << sps.log2MaxFrameNum
            switch sps.picOrderCount {
            case .type0(let log2MaxLSB):
                let lsb = Int64(try r.u(Int(log2MaxLSB), "pic_order_cnt_lsb"))
                var bottomDelta: Int64 = 0
                if pps.bottomFieldPicOrderInFramePresent && !fieldPicture {
                    bottomDelta = Int64(try r.se("delta_pic_order_cnt_bottom"))
                }
                if isIDR { (previousMSB, previousLSB) = (0, 0) }
                let msb = Self.countMSB(lsb: lsb, previousLSB: previousLSB, previousMSB: previousMSB, maxLSB: Int64(1) << log2MaxLSB)
                if isReference { (previousMSB, previousLSB) = (msb, lsb) }
                let top = msb + lsb
                return min(top, top + bottomDelta)
            case let .type1(alwaysZero, offsetForNonRef, topToBottom, offsets):
                var deltas: (Int64, Int64) = (0, 0)
                if !alwaysZero {
                    deltas.0 = Int64(try r.se("delta_pic_order_cnt[0]"))
                    if pps.bottomFieldPicOrderInFramePresent && !fieldPicture { deltas.1 = Int64(try r.se("delta_pic_order_cnt[1]")) }
                }
                let offset = frameNumOffset(frameNum: frameNum, isIDR: isIDR, maxFrameNum: maxFrameNum)
                let cycle = Int64(offsets.count)
                var absolute = cycle != 0 ? offset + frameNum : 0
                if !isReference && absolute > 0 { absolute -= 1 }
                var expected: Int64 = 0
                if absolute > 0 {
                    let perCycle = offsets.reduce(Int64(0)) { $0 + Int64($1) }
                    let inCycle = Int((absolute - 1) % cycle)
                    expected = (absolute - 1) / cycle * perCycle + offsets[0...inCycle].reduce(Int64(0)) { $0 + Int64($1) }
                }
                if !isReference { expected += Int64(offsetForNonRef) }
                let top = expected + deltas.0
                return min(top, top + Int64(topToBottom) + deltas.1)
            case .type2:
                let offset = frameNumOffset(frameNum: frameNum, isIDR: isIDR, maxFrameNum: maxFrameNum)
                return isIDR ? 0 : isReference ? 2 * (offset + frameNum) : 2 * (offset + frameNum) - 1
            }
        } catch {
            return nil
        }
    }

    /// PicOrderCntMsb from the LSBs sent and the previous picture's (H.264 8-3, H.265 8-1): the
    /// LSBs wrapped when they stepped more than half their range.
    static func countMSB(lsb: Int64, previousLSB: Int64, previousMSB: Int64, maxLSB: Int64) -> Int64 {
        if lsb < previousLSB && previousLSB - lsb >= maxLSB / 2 { return previousMSB + maxLSB }
        if lsb > previousLSB && lsb - previousLSB > maxLSB / 2 { return previousMSB - maxLSB }
        return previousMSB
    }

    /// FrameNumOffset (8-6, 8-11): frame_num counts on across its wraps.
    private mutating func frameNumOffset(frameNum: Int64, isIDR: Bool, maxFrameNum: Int64) -> Int64 {
        let offset = isIDR ? 0 : previousFrameNum > frameNum ? previousFrameNumOffset + maxFrameNum : previousFrameNumOffset
        (previousFrameNumOffset, previousFrameNum) = (offset, frameNum)
        return offset
    }
}
