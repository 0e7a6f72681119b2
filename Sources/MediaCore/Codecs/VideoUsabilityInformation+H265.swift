extension VideoUsabilityInformation {
    /// vui_parameters() of H.265 (23008-2 E.2.1).
    static func h265(_ reader: inout RBSPReader, maxSubLayersMinus1: UInt8) throws(CodecError) -> VideoUsabilityInformation {
        var vui = VideoUsabilityInformation()
        try vui.readCommonPart(&reader)
        _ = try reader.flag("neutral_chroma_indication_flag")
        vui.fieldSequence = try reader.flag("field_seq_flag")
        _ = try reader.flag("frame_field_info_present_flag")
        if try reader.flag("default_display_window_flag") {
            vui.defaultDisplayWindow = try CroppingWindow(reading: &reader)
        }
        if try reader.flag("vui_timing_info_present_flag") {
            let units = try reader.u(32, "vui_num_units_in_tick")
            let scale = try reader.u(32, "vui_time_scale")
            vui.timing = Timing(numUnitsInTick: units, timeScale: scale, fixedFrameRate: false)
            if try reader.flag("vui_poc_proportional_to_timing_flag") {
                _ = try reader.ue("vui_num_ticks_poc_diff_one_minus1")
            }
            if try reader.flag("vui_hrd_parameters_present_flag") {
                try skipH265HRDParameters(&reader, commonInfoPresent: true, maxSubLayersMinus1: maxSubLayersMinus1)
            }
        }
        if try reader.flag("bitstream_restriction_flag") {
            _ = try reader.flag("tiles_fixed_structure_flag")
            _ = try reader.flag("motion_vectors_over_pic_boundaries_flag")
            _ = try reader.flag("restricted_ref_pic_lists_flag")
            // 0...4095 (E.3.1): hvcC gives it 12 bits.
            vui.minSpatialSegmentationIdc = UInt16(try reader.ue("min_spatial_segmentation_idc", max: 4095))
            _ = try reader.ue("max_bytes_per_pic_denom", max: 16)
            _ = try reader.ue("max_bits_per_min_cu_denom", max: 16)
            _ = try reader.ue("log2_max_mv_length_horizontal", max: 15)
            _ = try reader.ue("log2_max_mv_length_vertical", max: 15)
        }
        return vui
    }

    /// hrd_parameters(commonInfPresentFlag, maxNumSubLayersMinus1) of H.265 (23008-2 E.2.2),
    /// used by the VUI and the VPS.
    static func skipH265HRDParameters(_ reader: inout RBSPReader, commonInfoPresent: Bool, maxSubLayersMinus1: UInt8) throws(CodecError) {
        var nalHRD = false, vclHRD = false, subPicParamsPresent = false
        if commonInfoPresent {
            nalHRD = try reader.flag("nal_hrd_parameters_present_flag")
            vclHRD = try reader.flag("vcl_hrd_parameters_present_flag")
            if nalHRD || vclHRD {
                subPicParamsPresent = try reader.flag("sub_pic_hrd_params_present_flag")
                if subPicParamsPresent {
                    // tick_divisor_minus2, du_cpb_removal_delay_increment_length_minus1,
                    // sub_pic_cpb_params_in_pic_timing_sei_flag, dpb_output_delay_du_length_minus1
                    try reader.skip(8 + 5 + 1 + 5, "sub_pic_hrd_params")
                }
                try reader.skip(4 + 4, "bit_rate_scale, cpb_size_scale")
                if subPicParamsPresent { try reader.skip(4, "cpb_size_du_scale") }
                try reader.skip(5 + 5 + 5, "initial_cpb_removal_delay_length_minus1 ... dpb_output_delay_length_minus1")
            }
        }
        for _ in 0...maxSubLayersMinus1 {
            let fixedGeneral = try reader.flag("fixed_pic_rate_general_flag")
            let fixedWithinCVS = fixedGeneral ? true : try reader.flag("fixed_pic_rate_within_cvs_flag")
            var lowDelay = false
            if fixedWithinCVS {
                _ = try reader.ue("elemental_duration_in_tc_minus1", max: 2047)
            } else {
                lowDelay = try reader.flag("low_delay_hrd_flag")
            }
            let cpbCount = lowDelay ? 1 : try reader.ue("cpb_cnt_minus1", max: maxCPBCount - 1) + 1
            for present in [nalHRD, vclHRD] where present {
                // sub_layer_hrd_parameters() (E.2.3)
                for _ in 0..<cpbCount {
                    _ = try reader.ue("bit_rate_value_minus1")
                    _ = try reader.ue("cpb_size_value_minus1")
                    if subPicParamsPresent {
                        _ = try reader.ue("cpb_size_du_value_minus1")
                        _ = try reader.ue("bit_rate_du_value_minus1")
                    }
                    _ = try reader.flag("cbr_flag")
                }
            }
        }
    }
}
