/// An H.265 picture parameter set, pic_parameter_set_rbsp() of ISO/IEC 23008-2 7.3.2.3.1:
/// ids and the flags a muxer needs (tiles and wavefronts give hvcC's parallelismType), read
/// through the range extension to rbsp_trailing_bits.
public struct H265PictureParameterSet: Sendable, Equatable {
    /// pps_pic_parameter_set_id is 0...63 (7.4.3.3.1).
    public static let maxID: UInt32 = 63
    /// Tile columns and rows per picture: at most 20 and 22 at any level (Table A.8).
    public static let maxTileColumns: UInt32 = 20
    public static let maxTileRows: UInt32 = 22

    public let id: UInt8
    public let seqParameterSetID: UInt8
    public let dependentSliceSegmentsEnabled: Bool
    public let outputFlagPresent: Bool
    public let numExtraSliceHeaderBits: UInt8
    public let signDataHidingEnabled: Bool
    public let cabacInitPresent: Bool
    public let tilesEnabled: Bool
    public let entropyCodingSyncEnabled: Bool

    public init<C: Collection<UInt8>>(nalUnit: C) throws(CodecError) {
        let structure = "H.265 PPS"
        var r = try RBSPReader(nalUnit: nalUnit, expected: H265NALUnitType.pictureParameterSet, structure: structure)
        id = UInt8(try r.ue("pps_pic_parameter_set_id", max: Self.maxID))
        seqParameterSetID = UInt8(try r.ue("pps_seq_parameter_set_id", max: H265SequenceParameterSet.maxID))
        dependentSliceSegmentsEnabled = try r.flag("dependent_slice_segments_enabled_flag")
        outputFlagPresent = try r.flag("output_flag_present_flag")
        numExtraSliceHeaderBits = UInt8(try r.u(3, "num_extra_slice_header_bits"))
        signDataHidingEnabled = try r.flag("sign_data_hiding_enabled_flag")
        cabacInitPresent = try r.flag("cabac_init_present_flag")
        _ = try r.ue("num_ref_idx_l0_default_active_minus1", max: 14)
        _ = try r.ue("num_ref_idx_l1_default_active_minus1", max: 14)
        // -(26 + QpBdOffsetY)...25, QpBdOffsetY at most 48 (16-bit video).
        _ = try r.se("init_qp_minus26", range: -74...25)
        _ = try r.flag("constrained_intra_pred_flag")
        let transformSkip = try r.flag("transform_skip_enabled_flag")
        if try r.flag("cu_qp_delta_enabled_flag") {
            _ = try r.ue("diff_cu_qp_delta_depth", max: 3)
        }
        _ = try r.se("pps_cb_qp_offset", range: -12...12)
        _ = try r.se("pps_cr_qp_offset", range: -12...12)
        _ = try r.flag("pps_slice_chroma_qp_offsets_present_flag")
        _ = try r.flag("weighted_pred_flag")
        _ = try r.flag("weighted_bipred_flag")
        _ = try r.flag("transquant_bypass_enabled_flag")
        tilesEnabled = try r.flag("tiles_enabled_flag")
        entropyCodingSyncEnabled = try r.flag("entropy_coding_sync_enabled_flag")
        if tilesEnabled {
            let columnsMinus1 = try r.ue("num_tile_columns_minus1", max: Self.maxTileColumns - 1)
            let rowsMinus1 = try r.ue("num_tile_rows_minus1", max: Self.maxTileRows - 1)
            if try !r.flag("uniform_spacing_flag") {
                for _ in 0..<columnsMinus1 { _ = try r.ue("column_width_minus1") }
                for _ in 0..<rowsMinus1 { _ = try r.ue("row_height_minus1") }
            }
            _ = try r.flag("loop_filter_across_tiles_enabled_flag")
        }
        _ = try r.flag("pps_loop_filter_across_slices_enabled_flag")
        if try r.flag("deblocking_filter_control_present_flag") {
            _ = try r.flag("deblocking_filter_override_enabled_flag")
            if try !r.flag("pps_deblocking_filter_disabled_flag") {
                _ = try r.se("pps_beta_offset_div2", range: -6...6)
                _ = try r.se("pps_tc_offset_div2", range: -6...6)
            }
        }
        if try r.flag("pps_scaling_list_data_present_flag") {
            try H265SequenceParameterSet.skipScalingListData(&r)
        }
        _ = try r.flag("lists_modification_present_flag")
        _ = try r.ue("log2_parallel_merge_level_minus2", max: 4)
        _ = try r.flag("slice_segment_header_extension_present_flag")
        var endIsKnown = true
        if try r.flag("pps_extension_present_flag") {
            let range = try r.flag("pps_range_extension_flag")
            let others = try r.u(7, "pps_multilayer/3d/scc_extension_flag, pps_extension_4bits")
            if range {
                // pps_range_extension() (7.3.2.3.2)
                if transformSkip { _ = try r.ue("log2_max_transform_skip_block_size_minus2", max: 3) }
                _ = try r.flag("cross_component_prediction_enabled_flag")
                if try r.flag("chroma_qp_offset_list_enabled_flag") {
                    _ = try r.ue("diff_cu_chroma_qp_offset_depth", max: 3)
                    let count = try r.ue("chroma_qp_offset_list_len_minus1", max: 5) + 1
                    for _ in 0..<count {
                        _ = try r.se("cb_qp_offset_list", range: -12...12)
                        _ = try r.se("cr_qp_offset_list", range: -12...12)
                    }
                }
                _ = try r.ue("log2_sao_offset_scale_luma", max: 6)
                _ = try r.ue("log2_sao_offset_scale_chroma", max: 6)
            }
            endIsKnown = others == 0
        }
        if endIsKnown { try r.readTrailingBits() }
    }
}
