/// nal_unit_type of an H.264 NAL unit: the low five bits of its one-byte header
/// (ISO/IEC 14496-10 7.3.1, Table 7-1).
public struct H264NALUnitType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x1F }

    /// The type of `nalUnit`, or nil for an empty one.
    public init?<C: Collection<UInt8>>(nalUnit: C) {
        guard let header = nalUnit.first else { return nil }
        self.init(rawValue: header)
    }

    public static let nonIDRSlice = H264NALUnitType(rawValue: 1)
    public static let idrSlice = H264NALUnitType(rawValue: 5)
    public static let sei = H264NALUnitType(rawValue: 6)
    public static let sequenceParameterSet = H264NALUnitType(rawValue: 7)
    public static let pictureParameterSet = H264NALUnitType(rawValue: 8)
    public static let accessUnitDelimiter = H264NALUnitType(rawValue: 9)
    public static let endOfSequence = H264NALUnitType(rawValue: 10)
    public static let endOfStream = H264NALUnitType(rawValue: 11)
    public static let fillerData = H264NALUnitType(rawValue: 12)
    public static let sequenceParameterSetExtension = H264NALUnitType(rawValue: 13)

    /// Coded slice data (types 1...5); the rest is parameter sets and side information.
    public var isVCL: Bool { (1...5).contains(rawValue) }
    /// An IDR picture: a random access point (7.4.1.2.4).
    public var isIDR: Bool { self == .idrSlice }
    public var isParameterSet: Bool { self == .sequenceParameterSet || self == .pictureParameterSet }

    public var description: String {
        switch self {
        case .nonIDRSlice: return "non-IDR slice"
        case .idrSlice: return "IDR"
        case .sei: return "SEI"
        case .sequenceParameterSet: return "SPS"
        case .pictureParameterSet: return "PPS"
        case .accessUnitDelimiter: return "AUD"
        default: return "type \(rawValue)"
        }
    }
}
