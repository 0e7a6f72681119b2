/// An AVC or HEVC decoder configuration record (`avcC`, `hvcC` body; ISO/IEC 14496-15 5.3.2,
/// 8.3.2): what code handling both codecs the same way asks of it.
public protocol NALUnitConfigurationRecord {
    /// The length-field size of the samples this record describes.
    var nalUnitLengthSize: NALUnitLengthSize { get set }
    init(parsing bytes: [UInt8]) throws(CodecError)
    func serialized() throws(CodecError) -> [UInt8]
}

extension NALUnitConfigurationRecord {
    /// `record` rewritten to announce 4-byte NAL unit lengths, the length `MediaFrame` payloads
    /// use; returned unchanged when it already does.
    public static func withFourByteLengths(_ record: [UInt8]) throws(CodecError) -> [UInt8] {
        var parsed = try Self(parsing: record)
        guard parsed.nalUnitLengthSize != .four else { return record }
        parsed.nalUnitLengthSize = .four
        return try parsed.serialized()
    }
}

extension AVCDecoderConfigurationRecord: NALUnitConfigurationRecord {}
extension HEVCDecoderConfigurationRecord: NALUnitConfigurationRecord {}
