/// The VUI of a sequence parameter set: display hints that do not affect decoding. H.264
/// (14496-10 E.1.1) and H.265 (23008-2 E.2.1) share the first part (aspect ratio, video
/// signal, chroma location) and differ after it; fields only one codec has are nil for the other.
///
/// HRD parameters are parsed (to reach the fields after them) but not kept.
public struct VideoUsabilityInformation: Sendable, Equatable {
    /// aspect_ratio_idc (Table E-1), nil when absent.
    public internal(set) var aspectRatioIdc: UInt8?
    /// The sample (pixel) aspect ratio, nil when absent, unspecified or reserved.
    public internal(set) var sampleAspectRatio: SampleAspectRatio?
    /// video_format (Table E-2), nil when the video signal type is absent.
    public internal(set) var videoFormat: UInt8?
    /// video_full_range_flag (0 when absent): 0...255 luma rather than 16...235.
    public internal(set) var videoFullRange = false
    public internal(set) var colourDescription: ColourDescription?
    public internal(set) var timing: Timing?
    /// max_num_reorder_frames of H.264's bitstream restriction (H.265 keeps it in the SPS).
    public internal(set) var maxNumReorderFrames: UInt32?
    /// max_dec_frame_buffering of H.264's bitstream restriction.
    public internal(set) var maxDecFrameBuffering: UInt32?
    /// min_spatial_segmentation_idc of H.265's bitstream restriction (hvcC copies it).
    public internal(set) var minSpatialSegmentationIdc: UInt16?
    /// H.265 default display window (E.3.1), in chroma sample units.
    public internal(set) var defaultDisplayWindow: CroppingWindow?
    /// H.265 field_seq_flag: each picture is a field.
    public internal(set) var fieldSequence = false

    /// The sample aspect ratio hSpacing:vSpacing.
    public struct SampleAspectRatio: Sendable, Equatable {
        public var width: UInt16
        public var height: UInt16
        public init(width: UInt16, height: UInt16) { self.width = width; self.height = height }
    }

    /// colour_primaries, transfer_characteristics, matrix_coeffs (Tables E-3 to E-5), the same
    /// code points as ISO/IEC 23091-2 and an MP4 `colr` box of type `nclx`.
    public struct ColourDescription: Sendable, Equatable {
        public var colourPrimaries: UInt8
        public var transferCharacteristics: UInt8
        public var matrixCoefficients: UInt8
    }

    /// num_units_in_tick and time_scale: the clock tick is num_units_in_tick / time_scale
    /// seconds. An H.264 frame lasts two ticks (E.2.1, fields); an H.265 picture one.
    public struct Timing: Sendable, Equatable {
        public var numUnitsInTick: UInt32
        public var timeScale: UInt32
        /// H.264 fixed_frame_rate_flag (false for H.265).
        public var fixedFrameRate: Bool
    }

    init() {}

    /// Table E-1, aspect_ratio_idc 1...16 (index 0 is idc 1).
    private static let sampleAspectRatios: [(UInt16, UInt16)] = [
        (1, 1), (12, 11), (10, 11), (16, 11), (40, 33), (24, 11), (20, 11), (32, 11),
        (80, 33), (18, 11), (15, 11), (64, 33), (160, 99), (4, 3), (3, 2), (2, 1),
    ]
    /// aspect_ratio_idc value meaning "sar_width and sar_height follow".
    private static let extendedSAR: UInt8 = 255

    /// The part both codecs share: aspect ratio, overscan, video signal type, chroma location.
    mutating func readCommonPart(_ reader: inout RBSPReader) throws(CodecError) {
        if try reader.flag("aspect_ratio_info_present_flag") {
            let idc = UInt8(try reader.u(8, "aspect_ratio_idc"))
            aspectRatioIdc = idc
            if idc == Self.extendedSAR {
                let width = UInt16(try reader.u(16, "sar_width"))
                let height = UInt16(try reader.u(16, "sar_height"))
                if width != 0 && height != 0 { sampleAspectRatio = SampleAspectRatio(width: width, height: height) }
            } else if (1...16).contains(idc) {
                let (width, height) = Self.sampleAspectRatios[Int(idc) - 1]
                sampleAspectRatio = SampleAspectRatio(width: width, height: height)
            }
        }
        if try reader.flag("overscan_info_present_flag") {
            _ = try reader.flag("overscan_appropriate_flag")
        }
        if try reader.flag("video_signal_type_present_flag") {
            videoFormat = UInt8(try reader.u(3, "video_format"))
            videoFullRange = try reader.flag("video_full_range_flag")
            if try reader.flag("colour_description_present_flag") {
                colourDescription = ColourDescription(
                    colourPrimaries: UInt8(try reader.u(8, "colour_primaries")),
                    transferCharacteristics: UInt8(try reader.u(8, "transfer_characteristics")),
                    matrixCoefficients: UInt8(try reader.u(8, "matrix_coeffs")))
            }
        }
        if try reader.flag("chroma_loc_info_present_flag") {
            _ = try reader.ue("chroma_sample_loc_type_top_field", max: 5)
            _ = try reader.ue("chroma_sample_loc_type_bottom_field", max: 5)
        }
    }

    /// vui_parameters() of H.264 (14496-10 E.1.1).
    static func h264(_ reader: inout RBSPReader) throws(CodecError) -> VideoUsabilityInformation {
        var vui = VideoUsabilityInformation()
        try vui.readCommonPart(&reader)
        if try reader.flag("timing_info_present_flag") {
            let units = try reader.u(32, "num_units_in_tick")
            let scale = try reader.u(32, "time_scale")
            let fixed = try reader.flag("fixed_frame_rate_flag")
            vui.timing = Timing(numUnitsInTick: units, timeScale: scale, fixedFrameRate: fixed)
        }
        let nalHRD = try reader.flag("nal_hrd_parameters_present_flag")
        if nalHRD { try skipH264HRDParameters(&reader) }
        let vclHRD = try reader.flag("vcl_hrd_parameters_present_flag")
        if vclHRD { try skipH264HRDParameters(&reader) }
        if nalHRD || vclHRD { _ = try reader.flag("low_delay_hrd_flag") }
        _ = try reader.flag("pic_struct_present_flag")
        if try reader.flag("bitstream_restriction_flag") {
            _ = try reader.flag("motion_vectors_over_pic_boundaries_flag")
            _ = try reader.ue("max_bytes_per_pic_denom", max: 16)
            _ = try reader.ue("max_bits_per_mb_denom", max: 16)
            _ = try reader.ue("log2_max_mv_length_horizontal", max: 16)
            _ = try reader.ue("log2_max_mv_length_vertical", max: 16)
            vui.maxNumReorderFrames = try reader.ue("max_num_reorder_frames", max: H264SequenceParameterSet.maxDPBFrames)
            vui.maxDecFrameBuffering = try reader.ue("max_dec_frame_buffering", max: H264SequenceParameterSet.maxDPBFrames)
        }
        return vui
    }

    /// The most CPB specifications an HRD may list (cpb_cnt_minus1 is 0...31 in both codecs).
    static let maxCPBCount: UInt32 = 32

    /// hrd_parameters() of H.264 (14496-10 E.1.2).
    private static func skipH264HRDParameters(_ reader: inout RBSPReader) throws(CodecError) {
        let cpbCount = try reader.ue("cpb_cnt_minus1", max: maxCPBCount - 1) + 1
        try reader.skip(8, "bit_rate_scale, cpb_size_scale")
        for _ in 0..<cpbCount {
            _ = try reader.ue("bit_rate_value_minus1")
            _ = try reader.ue("cpb_size_value_minus1")
            _ = try reader.flag("cbr_flag")
        }
        try reader.skip(20, "initial_cpb_removal_delay_length_minus1 ... time_offset_length")
    }
}
