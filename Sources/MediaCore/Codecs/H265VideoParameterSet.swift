/// An H.265 video parameter set, video_parameter_set_rbsp() of ISO/IEC 23008-2 7.3.2.1: the
/// fields the recorder uses (id, layers, sub-layers, profile_tier_level, timing), read through
/// to rbsp_trailing_bits unless a VPS extension follows.
public struct H265VideoParameterSet: Sendable, Equatable {
    /// vps_num_layer_sets_minus1 is 0...1023 (7.4.3.1).
    public static let maxLayerSets: UInt32 = 1024

    public let id: UInt8
    public let baseLayerInternal: Bool
    public let baseLayerAvailable: Bool
    /// vps_max_layers_minus1 + 1.
    public let maxLayers: UInt8
    /// vps_max_sub_layers_minus1 + 1.
    public let maxSubLayers: UInt8
    public let temporalIdNesting: Bool
    public let profileTierLevel: ProfileTierLevel
    /// vps_num_units_in_tick and vps_time_scale, when vps_timing_info_present_flag is set.
    public let timing: VideoUsabilityInformation.Timing?

    public init<C: Collection<UInt8>>(nalUnit: C) throws(CodecError) {
        let structure = "H.265 VPS"
        var r = try RBSPReader(nalUnit: nalUnit, expected: H265NALUnitType.videoParameterSet, structure: structure)
        id = UInt8(try r.u(4, "vps_video_parameter_set_id"))
        baseLayerInternal = try r.flag("vps_base_layer_internal_flag")
        baseLayerAvailable = try r.flag("vps_base_layer_available_flag")
        maxLayers = UInt8(try r.u(6, "vps_max_layers_minus1")) + 1
        let maxSubLayersMinus1 = UInt8(try r.u(3, "vps_max_sub_layers_minus1"))
        guard Int(maxSubLayersMinus1) < ProfileTierLevel.maxSubLayers else {
            throw .invalidValue(structure: structure, field: "vps_max_sub_layers_minus1", value: Int64(maxSubLayersMinus1))
        }
        maxSubLayers = maxSubLayersMinus1 + 1
        temporalIdNesting = try r.flag("vps_temporal_id_nesting_flag")
        try r.skip(16, "vps_reserved_0xffff_16bits")
        profileTierLevel = try ProfileTierLevel(reading: &r, maxSubLayersMinus1: maxSubLayersMinus1)
        let orderingInfoPresent = try r.flag("vps_sub_layer_ordering_info_present_flag")
        for _ in (orderingInfoPresent ? 0 : maxSubLayersMinus1)...maxSubLayersMinus1 {
            _ = try r.ue("vps_max_dec_pic_buffering_minus1", max: H265SequenceParameterSet.maxDPBSize - 1)
            _ = try r.ue("vps_max_num_reorder_pics", max: H265SequenceParameterSet.maxDPBSize - 1)
            _ = try r.ue("vps_max_latency_increase_plus1")
        }
        let maxLayerID = Int(try r.u(6, "vps_max_layer_id"))
        let layerSetsMinus1 = try r.ue("vps_num_layer_sets_minus1", max: Self.maxLayerSets - 1)
        if layerSetsMinus1 > 0 {
            try r.skip(Int(layerSetsMinus1) * (maxLayerID + 1), "layer_id_included_flag")
        }
        if try r.flag("vps_timing_info_present_flag") {
            let units = try r.u(32, "vps_num_units_in_tick")
            let scale = try r.u(32, "vps_time_scale")
            timing = VideoUsabilityInformation.Timing(numUnitsInTick: units, timeScale: scale, fixedFrameRate: false)
            if try r.flag("vps_poc_proportional_to_timing_flag") {
                _ = try r.ue("vps_num_ticks_poc_diff_one_minus1")
            }
            let hrdCount = try r.ue("vps_num_hrd_parameters", max: layerSetsMinus1 + 1)
            for i in 0..<hrdCount {
                _ = try r.ue("hrd_layer_set_idx", max: layerSetsMinus1)
                let commonInfo = i == 0 ? true : try r.flag("cprms_present_flag")
                try VideoUsabilityInformation.skipH265HRDParameters(&r, commonInfoPresent: commonInfo,
                                                                   maxSubLayersMinus1: maxSubLayersMinus1)
            }
        } else {
            timing = nil
        }
        if try !r.flag("vps_extension_flag") { try r.readTrailingBits() }
    }
}
