/// The size of the length field before each NAL unit in MP4 samples: lengthSizeMinusOne + 1
/// of the avcC/hvcC record (ISO/IEC 14496-15 5.3.3.1.2; the value 3, i.e. 3-byte lengths, is
/// not allowed).
public enum NALUnitLengthSize: Int, Sendable, Equatable, CaseIterable {
    case one = 1
    case two = 2
    case four = 4

    /// The largest NAL unit such a length field can describe.
    public var maxUnitLength: Int { (1 << (8 * rawValue)) - 1 }

    /// From the record's lengthSizeMinusOne field.
    init(minusOne value: UInt8, structure: String) throws(CodecError) {
        guard let size = NALUnitLengthSize(rawValue: Int(value) + 1) else {
            throw .invalidValue(structure: structure, field: "lengthSizeMinusOne", value: Int64(value))
        }
        self = size
    }
}
