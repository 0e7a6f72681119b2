/// An H.265 sequence parameter set, seq_parameter_set_rbsp() of ISO/IEC 23008-2 7.3.2.2.1,
/// parsed from a whole SPS NAL unit (header included, emulation prevention not yet removed).
///
/// Every element is read through the VUI and the range and multilayer extensions, then
/// rbsp_trailing_bits is required, so a set cut anywhere throws. (After a 3D, SCC or unknown
/// extension the end is not checked: those are not parsed.)
public struct H265SequenceParameterSet: Sendable, Equatable {
    /// sps_seq_parameter_set_id is 0...15 (7.4.3.2.1).
    public static let maxID: UInt32 = 15
    /// The widest or tallest picture any level allows: √(8 · MaxLumaPs) for level 6.2
    /// (A.4.1, Table A.8), 16888 luma samples. Also keeps the sizes far from overflow.
    public static let maxPictureDimension: UInt32 = 16888
    /// num_short_term_ref_pic_sets is 0...64 (7.4.3.2.1).
    public static let maxShortTermRefPicSets: UInt32 = 64
    /// num_long_term_ref_pics_sps is 0...32 (7.4.3.2.1).
    public static let maxLongTermRefPicsSPS: UInt32 = 32
    /// MaxDpbSize is at most 16 (A.4.2): bounds DPB sizes and reference picture counts.
    public static let maxDPBSize: UInt32 = 16

    public let videoParameterSetID: UInt8
    /// sps_max_sub_layers_minus1 + 1 (temporal layers).
    public let maxSubLayers: UInt8
    public let temporalIdNesting: Bool
    public let profileTierLevel: ProfileTierLevel
    public let id: UInt8
    /// 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4.
    public let chromaFormatIdc: UInt8
    public let separateColourPlane: Bool
    public let picWidthInLumaSamples: UInt32
    public let picHeightInLumaSamples: UInt32
    /// conf_win_*_offset in chroma sample units; nil without conformance_window_flag.
    public let conformanceWindow: CroppingWindow?
    public let bitDepthLuma: UInt8
    public let bitDepthChroma: UInt8
    /// log2_max_pic_order_cnt_lsb_minus4 + 4.
    public let log2MaxPicOrderCntLsb: UInt8
    /// sps_max_dec_pic_buffering_minus1 + 1 of the highest sub-layer.
    public let maxDecPicBuffering: UInt32
    /// sps_max_num_reorder_pics of the highest sub-layer: how far B-frames reorder.
    public let maxNumReorderPics: UInt32
    /// MinCbLog2SizeY and CtbLog2SizeY (7-10, 7-11).
    public let log2MinCodingBlockSize: UInt8
    public let log2CodingTreeBlockSize: UInt8
    public let scalingListEnabled: Bool
    public let ampEnabled: Bool
    public let sampleAdaptiveOffsetEnabled: Bool
    public let pcmEnabled: Bool
    public let numShortTermRefPicSets: UInt8
    public let longTermRefPicsPresent: Bool
    public let temporalMVPEnabled: Bool
    public let strongIntraSmoothingEnabled: Bool
    public let vui: VideoUsabilityInformation?

    /// The width and height shown, after the conformance window, in luma samples.
    public let width: Int
    public let height: Int

    public init<C: Collection<UInt8>>(nalUnit: C) throws(CodecError) {
        let structure = "H.265 SPS"
        var r = try RBSPReader(nalUnit: nalUnit, expected: H265NALUnitType.sequenceParameterSet, structure: structure)

        videoParameterSetID = UInt8(try r.u(4, "sps_video_parameter_set_id"))
        let maxSubLayersMinus1 = UInt8(try r.u(3, "sps_max_sub_layers_minus1"))
        guard Int(maxSubLayersMinus1) < ProfileTierLevel.maxSubLayers else {
            throw .invalidValue(structure: structure, field: "sps_max_sub_layers_minus1", value: Int64(maxSubLayersMinus1))
        }
        maxSubLayers = maxSubLayersMinus1 + 1
        temporalIdNesting = try r.flag("sps_temporal_id_nesting_flag")
        profileTierLevel = try ProfileTierLevel(reading: &r, maxSubLayersMinus1: maxSubLayersMinus1)
        id = UInt8(try r.ue("sps_seq_parameter_set_id", max: Self.maxID))
        let chroma = try r.ue("chroma_format_idc", max: 3)
        chromaFormatIdc = UInt8(chroma)
        separateColourPlane = chroma == 3 ? try r.flag("separate_colour_plane_flag") : false
        picWidthInLumaSamples = try r.ue("pic_width_in_luma_samples", max: Self.maxPictureDimension)
        picHeightInLumaSamples = try r.ue("pic_height_in_luma_samples", max: Self.maxPictureDimension)
        guard picWidthInLumaSamples > 0, picHeightInLumaSamples > 0 else {
            throw .invalidValue(structure: structure, field: "pic_width/height_in_luma_samples", value: 0)
        }
        conformanceWindow = try r.flag("conformance_window_flag") ? try CroppingWindow(reading: &r) : nil
        bitDepthLuma = UInt8(try r.ue("bit_depth_luma_minus8", max: 8) + 8)
        bitDepthChroma = UInt8(try r.ue("bit_depth_chroma_minus8", max: 8) + 8)
        log2MaxPicOrderCntLsb = UInt8(try r.ue("log2_max_pic_order_cnt_lsb_minus4", max: 12) + 4)

        let orderingInfoPresent = try r.flag("sps_sub_layer_ordering_info_present_flag")
        var decPicBuffering: UInt32 = 0, reorder: UInt32 = 0
        for _ in (orderingInfoPresent ? 0 : maxSubLayersMinus1)...maxSubLayersMinus1 {
            decPicBuffering = try r.ue("sps_max_dec_pic_buffering_minus1", max: Self.maxDPBSize - 1) + 1
            reorder = try r.ue("sps_max_num_reorder_pics", max: Self.maxDPBSize - 1)
            _ = try r.ue("sps_max_latency_increase_plus1")
        }
        maxDecPicBuffering = decPicBuffering
        maxNumReorderPics = reorder

        // CtbLog2SizeY is 4...6 in every profile (A.3); coding and transform blocks fit in it.
        let minCb = try r.ue("log2_min_luma_coding_block_size_minus3", max: 3) + 3
        let ctb = minCb + (try r.ue("log2_diff_max_min_luma_coding_block_size", max: 3))
        guard ctb <= 6 else {
            throw .invalidValue(structure: structure, field: "CtbLog2SizeY", value: Int64(ctb))
        }
        log2MinCodingBlockSize = UInt8(minCb)
        log2CodingTreeBlockSize = UInt8(ctb)
        _ = try r.ue("log2_min_luma_transform_block_size_minus2", max: 3)
        _ = try r.ue("log2_diff_max_min_luma_transform_block_size", max: 3)
        _ = try r.ue("max_transform_hierarchy_depth_inter", max: 4)
        _ = try r.ue("max_transform_hierarchy_depth_intra", max: 4)
        scalingListEnabled = try r.flag("scaling_list_enabled_flag")
        if scalingListEnabled, try r.flag("sps_scaling_list_data_present_flag") {
            try Self.skipScalingListData(&r)
        }
        ampEnabled = try r.flag("amp_enabled_flag")
        sampleAdaptiveOffsetEnabled = try r.flag("sample_adaptive_offset_enabled_flag")
        pcmEnabled = try r.flag("pcm_enabled_flag")
        if pcmEnabled {
            try r.skip(4 + 4, "pcm_sample_bit_depth_luma_minus1, pcm_sample_bit_depth_chroma_minus1")
            _ = try r.ue("log2_min_pcm_luma_coding_block_size_minus3", max: 2)
            _ = try r.ue("log2_diff_max_min_pcm_luma_coding_block_size", max: 2)
            _ = try r.flag("pcm_loop_filter_disabled_flag")
        }
        let stRpsCount = try r.ue("num_short_term_ref_pic_sets", max: Self.maxShortTermRefPicSets)
        numShortTermRefPicSets = UInt8(stRpsCount)
        var deltaPocCounts: [UInt32] = []
        for index in 0..<Int(stRpsCount) {
            deltaPocCounts.append(try Self.skipShortTermRefPicSet(&r, index: index, deltaPocCounts: deltaPocCounts))
        }
        longTermRefPicsPresent = try r.flag("long_term_ref_pics_present_flag")
        if longTermRefPicsPresent {
            let count = try r.ue("num_long_term_ref_pics_sps", max: Self.maxLongTermRefPicsSPS)
            for _ in 0..<count {
                try r.skip(Int(log2MaxPicOrderCntLsb), "lt_ref_pic_poc_lsb_sps")
                _ = try r.flag("used_by_curr_pic_lt_sps_flag")
            }
        }
        temporalMVPEnabled = try r.flag("sps_temporal_mvp_enabled_flag")
        strongIntraSmoothingEnabled = try r.flag("strong_intra_smoothing_enabled_flag")
        vui = try r.flag("vui_parameters_present_flag")
            ? try VideoUsabilityInformation.h265(&r, maxSubLayersMinus1: maxSubLayersMinus1) : nil

        var endIsKnown = true
        if try r.flag("sps_extension_present_flag") {
            let range = try r.flag("sps_range_extension_flag")
            let multilayer = try r.flag("sps_multilayer_extension_flag")
            let threeD = try r.flag("sps_3d_extension_flag")
            let scc = try r.flag("sps_scc_extension_flag")
            let more = try r.u(4, "sps_extension_4bits")
            if range { try r.skip(9, "sps_range_extension") }  // nine flags (7.3.2.2.2)
            if multilayer { _ = try r.flag("inter_view_mv_vert_constraint_flag") }
            endIsKnown = !threeD && !scc && more == 0
        }
        if endIsKnown { try r.readTrailingBits() }

        // 7.4.3.2.1 and Table 6-1: window offsets count chroma samples.
        let chromaArrayType = separateColourPlane ? 0 : chroma
        let subWidthC = chromaArrayType == 1 || chromaArrayType == 2 ? 2 : 1
        let subHeightC = chromaArrayType == 1 ? 2 : 1
        let window = conformanceWindow ?? CroppingWindow(left: 0, right: 0, top: 0, bottom: 0)
        (width, height) = try window.croppedSize(width: Int(picWidthInLumaSamples), height: Int(picHeightInLumaSamples),
                                                 unitX: subWidthC, unitY: subHeightC, structure: structure)
    }

    /// ChromaArrayType: 0 for monochrome and for separately coded planes.
    public var chromaArrayType: UInt8 { separateColourPlane ? 0 : chromaFormatIdc }

    /// Pictures per second from the VUI timing (one clock tick per picture, E.3.1), if present.
    public var framesPerSecond: Double? {
        guard let timing = vui?.timing, timing.numUnitsInTick > 0 else { return nil }
        return Double(timing.timeScale) / Double(timing.numUnitsInTick)
    }

    /// scaling_list_data() (7.3.4), shared with the PPS: read only to find the next element.
    static func skipScalingListData(_ r: inout RBSPReader) throws(CodecError) {
        for sizeId in 0..<4 {
            for _ in stride(from: 0, to: 6, by: sizeId == 3 ? 3 : 1) {
                if try !r.flag("scaling_list_pred_mode_flag") {
                    _ = try r.ue("scaling_list_pred_matrix_id_delta", max: sizeId == 3 ? 15 : 5)
                } else {
                    let coefficients = min(64, 1 << (4 + (sizeId << 1)))
                    if sizeId > 1 { _ = try r.se("scaling_list_dc_coef_minus8", range: -7...247) }
                    for _ in 0..<coefficients { _ = try r.se("scaling_list_delta_coef", range: -128...127) }
                }
            }
        }
    }

    /// st_ref_pic_set(stRpsIdx) (7.3.7) as the SPS carries it; returns NumDeltaPocs (7-61, 7-62).
    private static func skipShortTermRefPicSet(_ r: inout RBSPReader, index: Int, deltaPocCounts: [UInt32]) throws(CodecError) -> UInt32 {
        if index != 0, try r.flag("inter_ref_pic_set_prediction_flag") {
            // In the SPS, delta_idx_minus1 is absent: the reference is the previous set.
            _ = try r.flag("delta_rps_sign")
            _ = try r.ue("abs_delta_rps_minus1", max: 1 << 15 - 1)
            var count: UInt32 = 0
            for _ in 0...deltaPocCounts[index - 1] {
                // use_delta_flag is present only when the picture is not used; it is then inferred 1.
                let used = try r.flag("used_by_curr_pic_flag")
                let useDelta = used ? true : try r.flag("use_delta_flag")
                if useDelta { count += 1 }
            }
            return count
        }
        let negative = try r.ue("num_negative_pics", max: maxDPBSize)
        let positive = try r.ue("num_positive_pics", max: maxDPBSize - negative)
        for _ in 0..<(negative + positive) {
            _ = try r.ue("delta_poc_minus1", max: 1 << 15 - 1)
            _ = try r.flag("used_by_curr_pic_flag")
        }
        return negative + positive
    }
}
