import MediaCore

/// `avc1`, `avc3`, `hvc1`, `hev1`, `av01`, `vp09`: a video sample entry, picture size and the
/// codec configuration box. Contained in `stsd`. (ISO/IEC 14496-12 12.1.3; ISO/IEC 14496-15
/// 5.4, 8.4; AV1-ISOBMFF 2.2; VP Codec ISO Media File Format Binding 2.1)
///
/// ```
/// reserved(6) data_reference_index(2) pre_defined/reserved(16) width(2) height(2)
/// horizresolution(4) vertresolution(4) reserved(4) frame_count(2) compressorname(32)
/// depth(2) pre_defined(2) = -1   then boxes: avcC/hvcC/av1C/vpcC, pasp, btrt, colr...
/// ```
public struct VisualSampleEntry: SampleEntryLayout, Sendable, Equatable {
    /// The codings read as visual entries: H.264 (`avc1` parameter sets in avcC only, `avc3`
    /// also in band), H.265 (`hvc1`, `hev1` likewise), AV1 (`av01`) and VP9 (`vp09`).
    public static let codingNames: Set<FourCC> = ["avc1", "avc3", "hvc1", "hev1", "av01", "vp09"]
    /// 72 dpi, 16.16 fixed point: the value the spec fixes.
    public static let defaultResolution: UInt32 = 0x0048_0000
    /// Bytes of fields before the child boxes.
    static let fixedFieldsSize = 78

    public var codingName: FourCC
    /// 1-based index into `dref`; 1 in every file this project writes.
    public var dataReferenceIndex: UInt16
    public var width: UInt16
    public var height: UInt16
    public var horizontalResolution: UInt32
    public var verticalResolution: UInt32
    public var frameCount: UInt16
    /// At most 31 bytes, e.g. "Lavc59.37.100 libx264".
    public var compressorName: String
    public var depth: UInt16
    /// The configuration box and any others (`pasp`, `btrt`, `colr`), in file order.
    public var children: [RawBox]

    /// An entry for new media, with the configuration record as its only child box.
    public init(codingName: FourCC, width: UInt16, height: UInt16, configurationRecord: [UInt8],
                compressorName: String = "", otherChildren: [RawBox] = []) {
        self.codingName = codingName
        dataReferenceIndex = 1
        self.width = width
        self.height = height
        horizontalResolution = Self.defaultResolution
        verticalResolution = Self.defaultResolution
        frameCount = 1
        self.compressorName = compressorName
        depth = 0x0018
        let configurationType = Self.configurationBoxType(for: codingName) ?? "avcC"
        children = [RawBox(type: configurationType, body: configurationRecord)] + otherChildren
    }

    init(codingName: FourCC, body: inout ByteReader) throws(MP4ParseError) {
        let t = codingName
        self.codingName = codingName
        try body.skip(6, in: t)                       // reserved
        dataReferenceIndex = try body.read(in: t)
        try body.skip(16, in: t)                      // pre_defined, reserved, pre_defined[3]
        width = try body.read(in: t)
        height = try body.read(in: t)
        horizontalResolution = try body.read(in: t)
        verticalResolution = try body.read(in: t)
        try body.skip(4, in: t)                       // reserved
        frameCount = try body.read(in: t)
        // A counted string padded to 32 bytes; an over-long count is clamped rather than refused.
        let name = try body.readBytes(32, in: t)
        compressorName = String(decoding: name[1..<(1 + min(Int(name[0]), 31))], as: UTF8.self)
        depth = try body.read(in: t)
        try body.skip(2, in: t)                       // pre_defined = -1
        children = try body.readRawBoxes(in: t)
    }

    /// The box that carries the decoder configuration for `codingName`.
    public static func configurationBoxType(for codingName: FourCC) -> FourCC? {
        switch codingName {
        case "avc1", "avc3": return "avcC"
        case "hvc1", "hev1": return "hvcC"
        case "av01": return "av1C"
        case "vp09": return "vpcC"
        default: return nil
        }
    }

    /// The codec of this entry in MediaCore's terms.
    public var codec: Codec? {
        switch codingName {
        case "avc1", "avc3": return .h264
        case "hvc1", "hev1": return .h265
        case "av01": return .av1
        case "vp09": return .vp9
        default: return nil
        }
    }

    /// The AVCDecoderConfigurationRecord (`avcC` body), HEVCDecoderConfigurationRecord (`hvcC`),
    /// AV1CodecConfigurationRecord (`av1C`) or VPCodecConfigurationRecord (the whole `vpcC`
    /// body, version and flags included), as MediaCore's `SampleDescription.configuration` holds it.
    public var configurationRecord: [UInt8]? {
        guard let type = Self.configurationBoxType(for: codingName) else { return nil }
        return children.first { $0.type == type }?.body
    }

    func writeMediaFields(to writer: inout ByteWriter) {
        writer.writeZeros(16)
        writer.write(width)
        writer.write(height)
        writer.write(horizontalResolution)
        writer.write(verticalResolution)
        writer.writeZeros(4)
        writer.write(frameCount)
        let name = Array(compressorName.utf8.prefix(31))
        writer.write(UInt8(name.count))
        writer.write(bytes: name)
        writer.writeZeros(31 - name.count)
        writer.write(depth)
        writer.write(Int16(-1))
    }
}
