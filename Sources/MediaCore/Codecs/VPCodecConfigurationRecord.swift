/// VPCodecConfigurationRecord (VP Codec ISO Media File Format Binding 2.2/2.3), version 1, as
/// the body of a `vpcC` full box and the sequence start of VP9 in Enhanced RTMP/FLV. The
/// bytes include the full box's version and flags: ffmpeg writes them in both places.
///
/// ```
/// version(8)=1 flags(24)=0 | profile(8) | level(8) | bitDepth(4) chromaSubsampling(3) videoFullRangeFlag(1)
/// colourPrimaries(8) transferCharacteristics(8) matrixCoefficients(8) | codecInitializationDataSize(16)=0
/// ```
/// A record carries no picture size: the sample entry takes it from the first key frame.
public struct VPCodecConfigurationRecord: Sendable, Equatable {
    static let structure = "VPCodecConfigurationRecord"
    /// chromaSubsampling values (2.3.4).
    public static let chroma420Vertical: UInt8 = 0
    public static let chroma420Colocated: UInt8 = 1
    public static let chroma422: UInt8 = 2
    public static let chroma444: UInt8 = 3

    public var profile: UInt8
    public var level: UInt8
    public var bitDepth: UInt8
    public var chromaSubsampling: UInt8
    public var fullRange: Bool
    public var colourPrimaries: UInt8
    public var transferCharacteristics: UInt8
    public var matrixCoefficients: UInt8
    public var codecInitializationData: [UInt8]

    public init(profile: UInt8, level: UInt8, bitDepth: UInt8, chromaSubsampling: UInt8, fullRange: Bool,
                colourPrimaries: UInt8 = 2, transferCharacteristics: UInt8 = 2, matrixCoefficients: UInt8 = 2,
                codecInitializationData: [UInt8] = []) {
        self.profile = profile
        self.level = level
        self.bitDepth = bitDepth
        self.chromaSubsampling = chromaSubsampling
        self.fullRange = fullRange
        self.colourPrimaries = colourPrimaries
        self.transferCharacteristics = transferCharacteristics
        self.matrixCoefficients = matrixCoefficients
        self.codecInitializationData = codecInitializationData
    }

    /// The record a key frame implies. The level is not in the bitstream: 0 (undefined) until
    /// a source states one. Colour primaries and transfer stay "unspecified" (2); the matrix
    /// follows VP9's color_space (7.2.2 to ISO/IEC 23091-2).
    public init(keyFrame header: VP9FrameHeader) throws(CodecError) {
        guard let color = header.colorConfig else {
            throw .missing(structure: Self.structure, element: "color_config of a key frame")
        }
        let chroma: UInt8 = switch (color.subsamplingX, color.subsamplingY) {
        case (true, true): Self.chroma420Vertical
        case (true, false): Self.chroma422
        default: Self.chroma444
        }
        let matrix: UInt8 = switch color.colorSpace {
        case 1: 6      // BT.601
        case 2: 1      // BT.709
        case 3: 6      // SMPTE 170M
        case 4: 7      // SMPTE 240M
        case 5: 9      // BT.2020 non-constant luminance
        case 7: 0      // sRGB: identity
        default: 2     // unknown
        }
        self.init(profile: header.profile, level: 0, bitDepth: UInt8(color.bitDepth), chromaSubsampling: chroma,
                  fullRange: color.fullRange, matrixCoefficients: matrix)
    }

    public init(parsing bytes: [UInt8]) throws(CodecError) {
        var r = RecordReader(bytes, structure: Self.structure)
        let version = try r.read(UInt8.self, "version")
        guard version == 1 else { throw .unsupported(structure: Self.structure, feature: "version \(version)") }
        _ = try r.readUInt(byteCount: 3, "flags")
        profile = try r.read(UInt8.self, "profile")
        level = try r.read(UInt8.self, "level")
        let packed = try r.read(UInt8.self, "bitDepth, chromaSubsampling, videoFullRangeFlag")
        bitDepth = packed >> 4
        chromaSubsampling = (packed >> 1) & 0x07
        fullRange = packed & 1 != 0
        colourPrimaries = try r.read(UInt8.self, "colourPrimaries")
        transferCharacteristics = try r.read(UInt8.self, "transferCharacteristics")
        matrixCoefficients = try r.read(UInt8.self, "matrixCoefficients")
        let size = Int(try r.read(UInt16.self, "codecIntializationDataSize"))
        codecInitializationData = try r.readBytes(size, "codecIntializationData")
    }

    public func serialized() -> [UInt8] {
        var w = ByteWriter(capacity: 12 + codecInitializationData.count)
        w.write(UInt32(0x0100_0000))   // version 1, flags 0
        w.write(profile)
        w.write(level)
        w.write(bitDepth << 4 | (chromaSubsampling & 0x07) << 1 | (fullRange ? 1 : 0))
        w.write(colourPrimaries)
        w.write(transferCharacteristics)
        w.write(matrixCoefficients)
        w.write(UInt16(codecInitializationData.count))
        w.write(bytes: codecInitializationData)
        return w.bytes
    }
}
