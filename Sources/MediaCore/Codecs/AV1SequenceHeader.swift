/// The fields of an AV1 sequence header OBU (AV1 spec 5.5) that an av1C record, a sample
/// entry and the key-frame test need. Every element up to the colour config is read, so a
/// cut header throws.
public struct AV1SequenceHeader: Sendable, Equatable {
    static let structure = "AV1 sequence header"

    public var seqProfile: UInt8
    public var stillPicture: Bool
    public var reducedStillPictureHeader: Bool
    /// seq_level_idx[0] and seq_tier[0]: the operating point av1C describes.
    public var seqLevelIndex0: UInt8
    public var seqTier0: UInt8
    /// initial_display_delay_minus_1[0] when present for operating point 0.
    public var initialDisplayDelayMinusOne0: UInt8?
    public var maxFrameWidth: Int
    public var maxFrameHeight: Int
    public var bitDepth: Int
    public var monochrome: Bool
    public var subsamplingX: Bool
    public var subsamplingY: Bool
    public var chromaSamplePosition: UInt8
    public var colorDescription: (primaries: UInt8, transfer: UInt8, matrix: UInt8)?
    public var fullRange: Bool

    public static func == (a: Self, b: Self) -> Bool {
        a.seqProfile == b.seqProfile && a.stillPicture == b.stillPicture
            && a.reducedStillPictureHeader == b.reducedStillPictureHeader && a.seqLevelIndex0 == b.seqLevelIndex0
            && a.seqTier0 == b.seqTier0 && a.initialDisplayDelayMinusOne0 == b.initialDisplayDelayMinusOne0
            && a.maxFrameWidth == b.maxFrameWidth && a.maxFrameHeight == b.maxFrameHeight && a.bitDepth == b.bitDepth
            && a.monochrome == b.monochrome && a.subsamplingX == b.subsamplingX && a.subsamplingY == b.subsamplingY
            && a.chromaSamplePosition == b.chromaSamplePosition && a.fullRange == b.fullRange
            && a.colorDescription.map { [$0.primaries, $0.transfer, $0.matrix] } == b.colorDescription.map { [$0.primaries, $0.transfer, $0.matrix] }
    }

    /// Parses the payload of a sequence header OBU (after its header and size).
    public init(payload: [UInt8]) throws(CodecError) {
        var r = RBSPReader(rbsp: payload, structure: Self.structure)
        seqProfile = UInt8(try r.u(3, "seq_profile"))
        guard seqProfile <= 2 else {
            throw .invalidValue(structure: Self.structure, field: "seq_profile", value: Int64(seqProfile))
        }
        stillPicture = try r.flag("still_picture")
        reducedStillPictureHeader = try r.flag("reduced_still_picture_header")
        initialDisplayDelayMinusOne0 = nil
        if reducedStillPictureHeader {
            seqLevelIndex0 = UInt8(try r.u(5, "seq_level_idx"))
            seqTier0 = 0
        } else {
            var decoderModelInfoPresent = false
            var bufferDelayLength = 0
            if try r.flag("timing_info_present_flag") {
                try r.skip(64, "num_units_in_display_tick, time_scale")
                if try r.flag("equal_picture_interval") { try Self.skipUVLC(&r) }
                decoderModelInfoPresent = try r.flag("decoder_model_info_present_flag")
                if decoderModelInfoPresent {
                    bufferDelayLength = Int(try r.u(5, "buffer_delay_length_minus_1")) + 1
                    try r.skip(32 + 5 + 5, "decoder_model_info")
                }
            }
            let initialDisplayDelayPresent = try r.flag("initial_display_delay_present_flag")
            let operatingPoints = Int(try r.u(5, "operating_points_cnt_minus_1")) + 1
            var level0: UInt8 = 0, tier0: UInt8 = 0
            for i in 0..<operatingPoints {
                try r.skip(12, "operating_point_idc")
                let level = UInt8(try r.u(5, "seq_level_idx"))
                let tier = level > 7 ? UInt8(try r.u(1, "seq_tier")) : 0
                if decoderModelInfoPresent, try r.flag("decoder_model_present_for_this_op") {
                    try r.skip(2 * bufferDelayLength + 1, "operating_parameters_info")
                }
                var delay: UInt8?
                if initialDisplayDelayPresent, try r.flag("initial_display_delay_present_for_this_op") {
                    delay = UInt8(try r.u(4, "initial_display_delay_minus_1"))
                }
                if i == 0 {
                    level0 = level
                    tier0 = tier
                    initialDisplayDelayMinusOne0 = delay
                }
            }
            seqLevelIndex0 = level0
            seqTier0 = tier0
        }
        let widthBits = Int(try r.u(4, "frame_width_bits_minus_1")) + 1
        let heightBits = Int(try r.u(4, "frame_height_bits_minus_1")) + 1
        maxFrameWidth = Int(try r.u(widthBits, "max_frame_width_minus_1")) + 1
        maxFrameHeight = Int(try r.u(heightBits, "max_frame_height_minus_1")) + 1
        if !reducedStillPictureHeader, try r.flag("frame_id_numbers_present_flag") {
            try r.skip(7, "delta_frame_id_length_minus_2, additional_frame_id_length_minus_1")
        }
        try r.skip(3, "use_128x128_superblock, enable_filter_intra, enable_intra_edge_filter")
        if !reducedStillPictureHeader {
            try r.skip(4, "enable_interintra_compound .. enable_dual_filter")
            let orderHint = try r.flag("enable_order_hint")
            if orderHint { try r.skip(2, "enable_jnt_comp, enable_ref_frame_mvs") }
            let forceScreenContentTools: UInt32 = try r.flag("seq_choose_screen_content_tools") ? 2 : try r.u(1, "seq_force_screen_content_tools")
            if forceScreenContentTools > 0, !(try r.flag("seq_choose_integer_mv")) {
                try r.skip(1, "seq_force_integer_mv")
            }
            if orderHint { try r.skip(3, "order_hint_bits_minus_1") }
        }
        try r.skip(3, "enable_superres, enable_cdef, enable_restoration")
        // color_config() (5.5.2)
        let highBitDepth = try r.flag("high_bitdepth")
        if seqProfile == 2 && highBitDepth {
            bitDepth = try r.flag("twelve_bit") ? 12 : 10
        } else {
            bitDepth = highBitDepth ? 10 : 8
        }
        monochrome = seqProfile == 1 ? false : try r.flag("mono_chrome")
        if try r.flag("color_description_present_flag") {
            colorDescription = (UInt8(try r.u(8, "color_primaries")), UInt8(try r.u(8, "transfer_characteristics")),
                                UInt8(try r.u(8, "matrix_coefficients")))
        } else {
            colorDescription = nil
        }
        chromaSamplePosition = 0
        if monochrome {
            fullRange = try r.flag("color_range")
            subsamplingX = true
            subsamplingY = true
            return
        }
        if let c = colorDescription, c.primaries == 1, c.transfer == 13, c.matrix == 0 {
            // sRGB: 4:4:4, full range, no further bits but separate_uv_delta_q.
            fullRange = true
            subsamplingX = false
            subsamplingY = false
        } else {
            fullRange = try r.flag("color_range")
            switch seqProfile {
            case 0: subsamplingX = true; subsamplingY = true
            case 1: subsamplingX = false; subsamplingY = false
            default:
                if bitDepth == 12 {
                    subsamplingX = try r.flag("subsampling_x")
                    subsamplingY = subsamplingX ? try r.flag("subsampling_y") : false
                } else {
                    subsamplingX = true
                    subsamplingY = false
                }
            }
            if subsamplingX && subsamplingY { chromaSamplePosition = UInt8(try r.u(2, "chroma_sample_position")) }
        }
        try r.skip(1, "separate_uv_delta_q")
    }

    /// uvlc() (4.10.3).
    private static func skipUVLC(_ r: inout RBSPReader) throws(CodecError) {
        var leadingZeros = 0
        while !(try r.flag("num_ticks_per_picture_minus_1")) {
            leadingZeros += 1
            guard leadingZeros < 32 else { return }
        }
        try r.skip(leadingZeros, "num_ticks_per_picture_minus_1")
    }
}
