/// The start of a VP9 uncompressed header (VP9 bitstream spec 6.2): profile, frame type and,
/// for key and intra-only frames, the colour config and frame size.
///
/// ```
/// frame_marker(2)=2 profile_low_bit(1) profile_high_bit(1) [reserved_zero(1) if profile 3]
/// show_existing_frame(1) [frame_to_show_map_idx(3)] | frame_type(1) show_frame(1) error_resilient_mode(1)
/// key frame: frame_sync_code(24)=0x498342 color_config() frame_width_minus_1(16) frame_height_minus_1(16)
/// ```
public struct VP9FrameHeader: Sendable, Equatable {
    static let structure = "VP9 uncompressed header"
    static let syncCode: UInt32 = 0x49_83_42

    /// color_config() (6.2.2); for inter frames the stream's earlier values apply.
    public struct ColorConfig: Sendable, Equatable {
        public var bitDepth: Int
        /// color_space (7.2.2): 0 unknown, 1 BT.601, 2 BT.709, 3 SMPTE-170, 4 SMPTE-240,
        /// 5 BT.2020, 6 reserved, 7 sRGB.
        public var colorSpace: UInt8
        public var fullRange: Bool
        public var subsamplingX: Bool
        public var subsamplingY: Bool
    }

    public var profile: UInt8
    public var showExistingFrame: Bool
    public var isKeyFrame: Bool
    public var showFrame: Bool
    /// Present on key frames and on intra-only frames of profile > 0.
    public var colorConfig: ColorConfig?
    /// Present on key frames (and intra-only frames).
    public var width: Int?
    public var height: Int?

    public init(parsing frame: [UInt8]) throws(CodecError) {
        var r = RBSPReader(rbsp: frame, structure: Self.structure)
        let marker = try r.u(2, "frame_marker")
        guard marker == 2 else { throw .invalidValue(structure: Self.structure, field: "frame_marker", value: Int64(marker)) }
        let low = try r.u(1, "profile_low_bit")
        let high = try r.u(1, "profile_high_bit")
        profile = UInt8(high << 1 | low)
        if profile == 3 { try r.skip(1, "reserved_zero") }
        showExistingFrame = try r.flag("show_existing_frame")
        colorConfig = nil
        width = nil
        height = nil
        if showExistingFrame {
            isKeyFrame = false
            showFrame = true
            return
        }
        isKeyFrame = try r.u(1, "frame_type") == 0
        showFrame = try r.flag("show_frame")
        let errorResilient = try r.flag("error_resilient_mode")
        if isKeyFrame {
            try Self.readSyncCode(&r)
            colorConfig = try Self.readColorConfig(&r, profile: profile)
            try readFrameSize(&r)
        } else {
            let intraOnly = showFrame ? false : try r.flag("intra_only")
            guard intraOnly else { return }
            if !errorResilient { try r.skip(2, "reset_frame_context") }
            try Self.readSyncCode(&r)
            if profile > 0 {
                colorConfig = try Self.readColorConfig(&r, profile: profile)
            } else {
                colorConfig = ColorConfig(bitDepth: 8, colorSpace: 1, fullRange: false, subsamplingX: true, subsamplingY: true)
            }
            try r.skip(8, "refresh_frame_flags")
            try readFrameSize(&r)
        }
    }

    private mutating func readFrameSize(_ r: inout RBSPReader) throws(CodecError) {
        width = Int(try r.u(16, "frame_width_minus_1")) + 1
        height = Int(try r.u(16, "frame_height_minus_1")) + 1
    }

    private static func readSyncCode(_ r: inout RBSPReader) throws(CodecError) {
        let code = try r.u(24, "frame_sync_code")
        guard code == syncCode else { throw .invalidValue(structure: structure, field: "frame_sync_code", value: Int64(code)) }
    }

    private static func readColorConfig(_ r: inout RBSPReader, profile: UInt8) throws(CodecError) -> ColorConfig {
        let bitDepth = profile >= 2 ? (try r.flag("ten_or_twelve_bit") ? 12 : 10) : 8
        let colorSpace = UInt8(try r.u(3, "color_space"))
        if colorSpace != 7 {
            let fullRange = try r.flag("color_range")
            if profile == 1 || profile == 3 {
                let x = try r.flag("subsampling_x")
                let y = try r.flag("subsampling_y")
                try r.skip(1, "reserved_zero")
                return ColorConfig(bitDepth: bitDepth, colorSpace: colorSpace, fullRange: fullRange, subsamplingX: x, subsamplingY: y)
            }
            return ColorConfig(bitDepth: bitDepth, colorSpace: colorSpace, fullRange: fullRange, subsamplingX: true, subsamplingY: true)
        }
        if profile == 1 || profile == 3 { try r.skip(1, "reserved_zero") }
        return ColorConfig(bitDepth: bitDepth, colorSpace: colorSpace, fullRange: true, subsamplingX: false, subsamplingY: false)
    }
}
