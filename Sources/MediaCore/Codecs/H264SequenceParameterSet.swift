/// An H.264 sequence parameter set, seq_parameter_set_data() of ISO/IEC 14496-10 7.3.2.1.1,
/// parsed from a whole SPS NAL unit (header included, emulation prevention not yet removed).
///
/// The parser reads every element through the VUI and requires rbsp_trailing_bits after it,
/// so a set cut anywhere throws instead of yielding a plausible but wrong picture size.
public struct H264SequenceParameterSet: Sendable, Equatable {
    /// profile_idc values whose SPS carries chroma_format_idc, bit depths and scaling lists
    /// (the condition in 7.3.2.1.1): High and above, and the SVC/MVC profiles.
    public static let highProfiles: Set<UInt8> = [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]
    /// The widest or tallest picture any level allows, in macroblocks: √(8 · MaxFS) for
    /// level 6.2 (A.3.1 f, Table A-1). Also keeps the sizes far from overflow.
    public static let maxDimensionInMacroblocks: UInt32 = 1055
    /// MaxDpbFrames is at most 16 (A.3.1 h): bounds max_num_ref_frames and reorder depth.
    public static let maxDPBFrames: UInt32 = 16
    /// seq_parameter_set_id is 0...31 (7.4.2.1.1).
    public static let maxID: UInt32 = 31

    public let profileIdc: UInt8
    /// The byte after profile_idc: constraint_set0_flag in the top bit down to
    /// constraint_set5_flag, then reserved_zero_2bits. avcC copies it as profile_compatibility.
    public let constraintFlags: UInt8
    public let levelIdc: UInt8
    public let id: UInt8
    /// 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4 (1 when the profile does not code it).
    public let chromaFormatIdc: UInt8
    /// 4:4:4 coded as three monochrome planes.
    public let separateColourPlane: Bool
    public let bitDepthLuma: UInt8
    public let bitDepthChroma: UInt8
    public let qpprimeYZeroTransformBypass: Bool
    /// seq_scaling_matrix_present_flag (the lists themselves are skipped).
    public let hasScalingMatrix: Bool
    /// log2_max_frame_num_minus4 + 4.
    public let log2MaxFrameNum: UInt8
    public let picOrderCount: PicOrderCount
    public let maxNumRefFrames: UInt8
    public let gapsInFrameNumAllowed: Bool
    /// pic_width_in_mbs_minus1 + 1.
    public let widthInMacroblocks: UInt32
    /// pic_height_in_map_units_minus1 + 1 (a map unit is a macroblock pair when fields are coded).
    public let heightInMapUnits: UInt32
    /// frame_mbs_only_flag: false when the stream may code fields (interlaced).
    public let frameMbsOnly: Bool
    public let mbAdaptiveFrameField: Bool
    public let direct8x8Inference: Bool
    /// frame_crop_*_offset, in CropUnitX/CropUnitY units; nil without frame_cropping_flag.
    public let frameCropping: CroppingWindow?
    public let vui: VideoUsabilityInformation?

    /// The width and height shown, after frame cropping, in luma samples.
    public let width: Int
    public let height: Int

    /// pic_order_cnt_type and the elements each kind carries (8.2.1).
    public enum PicOrderCount: Sendable, Equatable {
        /// Type 0: the POC LSBs are sent in each slice header.
        case type0(log2MaxPicOrderCntLsb: UInt8)
        /// Type 1: POC follows a cycle of expected deltas.
        case type1(deltaPicOrderAlwaysZero: Bool, offsetForNonRefPic: Int32,
                   offsetForTopToBottomField: Int32, offsetsForRefFrame: [Int32])
        /// Type 2: output order is decoding order (no B-frame reordering).
        case type2
    }

    public init<C: Collection<UInt8>>(nalUnit: C) throws(CodecError) {
        let structure = "H.264 SPS"
        var r = try RBSPReader(nalUnit: nalUnit, expected: H264NALUnitType.sequenceParameterSet, structure: structure)

        profileIdc = UInt8(try r.u(8, "profile_idc"))
        constraintFlags = UInt8(try r.u(8, "constraint_set_flags"))
        levelIdc = UInt8(try r.u(8, "level_idc"))
        id = UInt8(try r.ue("seq_parameter_set_id", max: Self.maxID))

        var chromaFormatIdc: UInt32 = 1
        var separateColourPlane = false
        var bitDepthLuma: UInt32 = 8, bitDepthChroma: UInt32 = 8
        var transformBypass = false, scalingMatrix = false
        if Self.highProfiles.contains(profileIdc) {
            chromaFormatIdc = try r.ue("chroma_format_idc", max: 3)
            if chromaFormatIdc == 3 { separateColourPlane = try r.flag("separate_colour_plane_flag") }
            bitDepthLuma = try r.ue("bit_depth_luma_minus8", max: 6) + 8
            bitDepthChroma = try r.ue("bit_depth_chroma_minus8", max: 6) + 8
            transformBypass = try r.flag("qpprime_y_zero_transform_bypass_flag")
            scalingMatrix = try r.flag("seq_scaling_matrix_present_flag")
            if scalingMatrix {
                for i in 0..<(chromaFormatIdc != 3 ? 8 : 12) {
                    if try r.flag("seq_scaling_list_present_flag") {
                        try Self.skipScalingList(&r, size: i < 6 ? 16 : 64)
                    }
                }
            }
        }
        self.chromaFormatIdc = UInt8(chromaFormatIdc)
        self.separateColourPlane = separateColourPlane
        self.bitDepthLuma = UInt8(bitDepthLuma)
        self.bitDepthChroma = UInt8(bitDepthChroma)
        qpprimeYZeroTransformBypass = transformBypass
        hasScalingMatrix = scalingMatrix

        log2MaxFrameNum = UInt8(try r.ue("log2_max_frame_num_minus4", max: 12) + 4)
        switch try r.ue("pic_order_cnt_type", max: 2) {
        case 0:
            picOrderCount = .type0(log2MaxPicOrderCntLsb: UInt8(try r.ue("log2_max_pic_order_cnt_lsb_minus4", max: 12) + 4))
        case 1:
            let alwaysZero = try r.flag("delta_pic_order_always_zero_flag")
            let nonRef = try r.se("offset_for_non_ref_pic", range: (Int32.min + 1)...Int32.max)
            let topToBottom = try r.se("offset_for_top_to_bottom_field", range: (Int32.min + 1)...Int32.max)
            let cycle = try r.ue("num_ref_frames_in_pic_order_cnt_cycle", max: 255)
            var offsets: [Int32] = []
            for _ in 0..<cycle {
                offsets.append(try r.se("offset_for_ref_frame", range: (Int32.min + 1)...Int32.max))
            }
            picOrderCount = .type1(deltaPicOrderAlwaysZero: alwaysZero, offsetForNonRefPic: nonRef,
                                   offsetForTopToBottomField: topToBottom, offsetsForRefFrame: offsets)
        default:
            picOrderCount = .type2
        }
        maxNumRefFrames = UInt8(try r.ue("max_num_ref_frames", max: Self.maxDPBFrames))
        gapsInFrameNumAllowed = try r.flag("gaps_in_frame_num_value_allowed_flag")
        widthInMacroblocks = try r.ue("pic_width_in_mbs_minus1", max: Self.maxDimensionInMacroblocks - 1) + 1
        heightInMapUnits = try r.ue("pic_height_in_map_units_minus1", max: Self.maxDimensionInMacroblocks - 1) + 1
        frameMbsOnly = try r.flag("frame_mbs_only_flag")
        mbAdaptiveFrameField = frameMbsOnly ? false : try r.flag("mb_adaptive_frame_field_flag")
        direct8x8Inference = try r.flag("direct_8x8_inference_flag")
        frameCropping = try r.flag("frame_cropping_flag") ? try CroppingWindow(reading: &r) : nil
        vui = try r.flag("vui_parameters_present_flag") ? try VideoUsabilityInformation.h264(&r) : nil
        try r.readTrailingBits()

        // 7.4.2.1.1, equations 7-18 to 7-22: a crop unit is one chroma sample, doubled
        // vertically when the map units are field macroblock pairs.
        let fieldFactor = frameMbsOnly ? 1 : 2
        let chromaArrayType = separateColourPlane ? 0 : Int(chromaFormatIdc)
        let cropUnitX = chromaArrayType == 0 ? 1 : (chromaArrayType == 3 ? 1 : 2)
        let cropUnitY = chromaArrayType == 0 ? fieldFactor : (chromaArrayType == 1 ? 2 : 1) * fieldFactor
        let codedWidth = Int(widthInMacroblocks) * 16
        let codedHeight = Int(heightInMapUnits) * fieldFactor * 16
        let window = frameCropping ?? CroppingWindow(left: 0, right: 0, top: 0, bottom: 0)
        (width, height) = try window.croppedSize(width: codedWidth, height: codedHeight,
                                                 unitX: cropUnitX, unitY: cropUnitY, structure: structure)
    }

    /// ChromaArrayType (7.4.2.1.1): 0 for monochrome and for separately coded planes.
    public var chromaArrayType: UInt8 { separateColourPlane ? 0 : chromaFormatIdc }

    /// The decoded picture size before cropping, in luma samples.
    public var codedWidth: Int { Int(widthInMacroblocks) * 16 }
    public var codedHeight: Int { Int(heightInMapUnits) * (frameMbsOnly ? 1 : 2) * 16 }

    /// constraint_set`index`_flag, index 0...5.
    public func constraintSetFlag(_ index: Int) -> Bool {
        (0...5).contains(index) && (constraintFlags >> (7 - index)) & 1 == 1
    }

    /// Frames per second from the VUI timing (a frame is two clock ticks, E.2.1), if present.
    public var framesPerSecond: Double? {
        guard let timing = vui?.timing, timing.numUnitsInTick > 0 else { return nil }
        return Double(timing.timeScale) / (2 * Double(timing.numUnitsInTick))
    }

    /// scaling_list() (7.3.2.1.1.1): read only to find where the next element starts.
    private static func skipScalingList(_ r: inout RBSPReader, size: Int) throws(CodecError) {
        var lastScale: Int32 = 8
        var nextScale: Int32 = 8
        for _ in 0..<size where nextScale != 0 {
            let delta = try r.se("delta_scale", range: -128...127)
            nextScale = (lastScale + delta + 256) % 256
            lastScale = nextScale == 0 ? lastScale : nextScale
        }
    }
}
