import MediaCore

// Parameter sets and configuration records from real encodes: ffmpeg 5.1.9 (Debian 12) with
// libx264 core 164 and libx265 3.5. Each variant was made with
//
//   ffmpeg -f lavfi -i testsrc2=size=<size>:rate=25 -frames:v 2 <encoder options> out.mp4
//
// its parameter sets taken from
//
//   ffmpeg -i out.mp4 -c:v copy -bsf:v h264_mp4toannexb -frames:v 1 -f h264 out.h264   (hevc_mp4toannexb, -f hevc for H.265)
//
// split at the start codes, and its avcC/hvcC the body of that box in out.mp4. The expected
// values are what `ffprobe -show_streams out.mp4` reports (profile, level, width, height,
// pix_fmt, field_order). The 320x240 variants are the checked-in Tests/Fixtures/mp4 files.

struct H264Fixture {
    let name: String
    /// The encoder options after `-frames:v 2`, and the picture size.
    let command: String
    let sps: [UInt8]
    let pps: [UInt8]
    let avcC: [UInt8]
    let profileIdc: UInt8
    let levelIdc: UInt8
    let width: Int
    let height: Int
    let codedWidth: Int
    let codedHeight: Int
    let chromaFormatIdc: UInt8
    let bitDepth: UInt8
    let frameMbsOnly: Bool
    let cropping: CroppingWindow?
    /// `has_b_frames` > 0 in ffprobe: x264 then uses pic_order_cnt_type 0, else 2.
    let hasBFrames: Bool

    static let all: [H264Fixture] = [
        H264Fixture(
            name: "h264_aac.mp4 (High 320x240, level 1.3)",
            command: "Tests/Fixtures/mp4/h264_aac.mp4 (see its README)",
            sps: hex("6764000dacd94141fb011000000300100000030320f1429960"),
            pps: hex("68ebe3cb22c0"),
            avcC: hex("0164000dffe100196764000dacd94141fb011000000300100000030320f142996001000668ebe3cb22c0fdf8f800"),
            profileIdc: 100, levelIdc: 13, width: 320, height: 240, codedWidth: 320, codedHeight: 240,
            chromaFormatIdc: 1, bitDepth: 8, frameMbsOnly: true, cropping: nil, hasBFrames: true),
        H264Fixture(
            name: "High 1920x1080 (crop 1088 -> 1080)",
            command: "size=1920x1080; -c:v libx264 -profile:v high -pix_fmt yuv420p",
            sps: hex("67640028acd940780227e5c044000003000400000300c83c60c658"),
            pps: hex("68ebe3cb22c0"),
            avcC: hex("01640028ffe1001b67640028acd940780227e5c044000003000400000300c83c60c65801000668ebe3cb22c0fdf8f800"),
            profileIdc: 100, levelIdc: 40, width: 1920, height: 1080, codedWidth: 1920, codedHeight: 1088,
            chromaFormatIdc: 1, bitDepth: 8, frameMbsOnly: true,
            cropping: CroppingWindow(left: 0, right: 0, top: 0, bottom: 4), hasBFrames: true),
        H264Fixture(
            name: "High 4:2:2 10-bit 1920x1080 (CropUnitY 1)",
            command: "size=1920x1080; -c:v libx264 -profile:v high422 -pix_fmt yuv422p10le",
            sps: hex("677a0028b6cd940780227e27011000000300100000030320f1831960"),
            pps: hex("68ebe3cb22c0"),
            avcC: hex("017a0028ffe1001c677a0028b6cd940780227e27011000000300100000030320f183196001000668ebe3cb22c0fefafa00"),
            profileIdc: 122, levelIdc: 40, width: 1920, height: 1080, codedWidth: 1920, codedHeight: 1088,
            chromaFormatIdc: 2, bitDepth: 10, frameMbsOnly: true,
            cropping: CroppingWindow(left: 0, right: 0, top: 0, bottom: 8), hasBFrames: true),
        H264Fixture(
            name: "High 4:4:4 Predictive 1920x1080 (CropUnitX/Y 1)",
            command: "size=1920x1080; -c:v libx264 -profile:v high444 -pix_fmt yuv444p",
            sps: hex("67f40028919b280f0044fc4e0220000003002000000641e30632c0"),
            pps: hex("68ebe3c44844"),
            avcC: hex("01f40028ffe1001b67f40028919b280f0044fc4e0220000003002000000641e30632c001000668ebe3c44844fff8f800"),
            profileIdc: 244, levelIdc: 40, width: 1920, height: 1080, codedWidth: 1920, codedHeight: 1088,
            chromaFormatIdc: 3, bitDepth: 8, frameMbsOnly: true,
            cropping: CroppingWindow(left: 0, right: 0, top: 0, bottom: 8), hasBFrames: true),
        H264Fixture(
            name: "High interlaced 1920x1080 (field_order tt, CropUnitY 4)",
            command: "size=1920x1080; -c:v libx264 -profile:v high -pix_fmt yuv420p -flags +ildct+ilme -x264-params interlaced=1",
            sps: hex("67640028acd94078044fde0220000003002000000643e2c5b2c0"),
            pps: hex("68fba3cb22c0"),
            avcC: hex("01640028ffe1001a67640028acd94078044fde0220000003002000000643e2c5b2c001000668fba3cb22c0fdf8f800"),
            profileIdc: 100, levelIdc: 40, width: 1920, height: 1080, codedWidth: 1920, codedHeight: 1088,
            chromaFormatIdc: 1, bitDepth: 8, frameMbsOnly: false,
            cropping: CroppingWindow(left: 0, right: 0, top: 0, bottom: 2), hasBFrames: true),
        H264Fixture(
            name: "Constrained Baseline 176x144, level 1.1 (avcC without High fields)",
            command: "size=176x144; -c:v libx264 -profile:v baseline -pix_fmt yuv420p",
            sps: hex("6742c00bd902c4ec0440000003004000000c83c50a92"),
            pps: hex("68cb83cb20"),
            avcC: hex("0142c00bffe100166742c00bd902c4ec0440000003004000000c83c50a9201000568cb83cb20"),
            profileIdc: 66, levelIdc: 11, width: 176, height: 144, codedWidth: 176, codedHeight: 144,
            chromaFormatIdc: 1, bitDepth: 8, frameMbsOnly: true, cropping: nil, hasBFrames: false),
    ]
}

struct H265Fixture {
    let name: String
    let command: String
    let vps: [UInt8]
    let sps: [UInt8]
    let pps: [UInt8]
    /// nil for the checked-in fixture, whose hvcC (with an SEI array) is read from the file.
    let hvcC: [UInt8]?
    let profileIdc: UInt8
    let levelIdc: UInt8
    let width: Int
    let height: Int
    let picWidth: UInt32
    let picHeight: UInt32
    let chromaFormatIdc: UInt8
    let bitDepth: UInt8
    let maxSubLayers: UInt8
    let conformanceWindow: CroppingWindow?

    static let all: [H265Fixture] = [
        H265Fixture(
            name: "h265_aac.mp4 (Main 320x240, level 2)",
            command: "Tests/Fixtures/mp4/h265_aac.mp4 (see its README)",
            vps: hex("40010c01ffff01600000030090000003000003003c959009"),
            sps: hex("42010101600000030090000003000003003ca00a080f16595924932bc05a020000030002000003003210"),
            pps: hex("4401c172b46240"),
            hvcC: nil,
            profileIdc: 1, levelIdc: 60, width: 320, height: 240, picWidth: 320, picHeight: 240,
            chromaFormatIdc: 1, bitDepth: 8, maxSubLayers: 1, conformanceWindow: nil),
        H265Fixture(
            name: "Main 10 1920x1080, level 4",
            command: "size=1920x1080; -c:v libx265 -x265-params log-level=error:info=0 -profile:v main10 -pix_fmt yuv420p10le -tag:v hvc1",
            vps: hex("40010c01ffff022000000300900000030000030078959809"),
            sps: hex("420101022000000300900000030000030078a003c08010e4d96566924caf016808000003000800000300c840"),
            pps: hex("4401c172b46240"),
            hvcC: hex("""
                01022000000090000000000078f000fcfdfafa00000f03a00001001840010c01ffff02200000030090000003\
                0000030078959809a10001002c420101022000000300900000030000030078a003c08010e4d96566924caf01\
                6808000003000800000300c840a2000100074401c172b46240
                """),
            profileIdc: 2, levelIdc: 120, width: 1920, height: 1080, picWidth: 1920, picHeight: 1080,
            chromaFormatIdc: 1, bitDepth: 10, maxSubLayers: 1, conformanceWindow: nil),
        H265Fixture(
            name: "Rext 4:2:2 10-bit 1276x718 (conformance window, SubWidthC 2, SubHeightC 1)",
            command: "size=1276x718; -c:v libx265 -x265-params log-level=error:info=0 -pix_fmt yuv422p10le -tag:v hvc1",
            vps: hex("40010c01ffff0408000003009d0800000300005d959809"),
            sps: hex("4201010408000003009d0800000300005db00280802d1ddb65959a4932bc05a02000000300200000030321"),
            pps: hex("4401c172b46240"),
            hvcC: hex("""
                0104080000009d08000000005df000fcfefafa00000f03a00001001740010c01ffff0408000003009d080000\
                0300005d959809a10001002b4201010408000003009d0800000300005db00280802d1ddb65959a4932bc05a0\
                2000000300200000030321a2000100074401c172b46240
                """),
            profileIdc: 4, levelIdc: 93, width: 1276, height: 718, picWidth: 1280, picHeight: 720,
            chromaFormatIdc: 2, bitDepth: 10, maxSubLayers: 1,
            conformanceWindow: CroppingWindow(left: 0, right: 2, top: 0, bottom: 2)),
        H265Fixture(
            name: "Main 320x240 with two temporal sub-layers (sub-layer profile_tier_level)",
            command: "size=320x240; -c:v libx265 -x265-params log-level=error:info=0:temporal-layers=1:bframes=3 -tag:v hvc1",
            vps: hex("40010c02ffff01600000030090000003000003003c00009594aca048"),
            sps: hex("42010201600000030090000003000003003c0000a00a080f1659594acb24995e02d0100000030010000003019080"),
            pps: hex("4401c172b46240"),
            hvcC: hex("""
                0101600000009000000000003cf000fcfdf8f800001303a00001001c40010c02ffff01600000030090000003\
                000003003c00009594aca048a10001002e42010201600000030090000003000003003c0000a00a080f165959\
                4acb24995e02d0100000030010000003019080a2000100074401c172b46240
                """),
            profileIdc: 1, levelIdc: 60, width: 320, height: 240, picWidth: 320, picHeight: 240,
            chromaFormatIdc: 1, bitDepth: 8, maxSubLayers: 2, conformanceWindow: nil),
    ]
}

enum AACFixture {
    /// The AudioSpecificConfig in the esds of Tests/Fixtures/mp4/aac_only.mp4 (ffmpeg's aac
    /// encoder, LC stereo 48 kHz): the 2-byte core config, then syncExtensionType 0x2B7 with
    /// SBR type 5 and sbrPresentFlag 0, padded to 5 bytes.
    static let ffmpegLCStereo48k = hex("119056e500")
    /// The first three ADTS headers of
    /// `ffmpeg -i Tests/Fixtures/mp4/aac_only.mp4 -c:a copy -f adts -frames:a 3 a.aac`
    /// with their frame lengths (235, 297 and 221 bytes).
    static let adtsHeaders: [([UInt8], Int)] = [
        (hex("fff14c801d7ffc"), 235), (hex("fff14c80253ffc"), 297), (hex("fff14c801bbffc"), 221),
    ]
    /// The first ADTS header of
    /// `ffmpeg -f lavfi -i sine=frequency=440:sample_rate=22050 -t 0.1 -c:a aac -ac 1 -f adts mono22.aac`.
    static let adtsMono22050 = hex("fff15c403ffffc")
}
