/// nal_unit_type of an H.265 NAL unit: bits 1...6 of the first byte of its two-byte header
/// (ISO/IEC 23008-2 7.3.1.2, Table 7-1).
public struct H265NALUnitType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x3F }

    /// The type of `nalUnit` (from its first header byte), or nil for an empty one.
    public init?<C: Collection<UInt8>>(nalUnit: C) {
        guard let header = nalUnit.first else { return nil }
        self.init(rawValue: header >> 1)
    }

    public static let trailN = H265NALUnitType(rawValue: 0)
    public static let trailR = H265NALUnitType(rawValue: 1)
    public static let blaWithLeadingPictures = H265NALUnitType(rawValue: 16)
    public static let idrWithRADL = H265NALUnitType(rawValue: 19)
    public static let idrNoLeadingPictures = H265NALUnitType(rawValue: 20)
    public static let cra = H265NALUnitType(rawValue: 21)
    public static let videoParameterSet = H265NALUnitType(rawValue: 32)
    public static let sequenceParameterSet = H265NALUnitType(rawValue: 33)
    public static let pictureParameterSet = H265NALUnitType(rawValue: 34)
    public static let accessUnitDelimiter = H265NALUnitType(rawValue: 35)
    public static let endOfSequence = H265NALUnitType(rawValue: 36)
    public static let endOfBitstream = H265NALUnitType(rawValue: 37)
    public static let fillerData = H265NALUnitType(rawValue: 38)
    public static let prefixSEI = H265NALUnitType(rawValue: 39)
    public static let suffixSEI = H265NALUnitType(rawValue: 40)

    /// Coded slice segments (types 0...31).
    public var isVCL: Bool { rawValue < 32 }
    /// An intra random access point picture, BLA, IDR or CRA (types 16...23, 7.4.2.2): where
    /// decoding may start, so a keyframe for the recorder.
    public var isIRAP: Bool { (16...23).contains(rawValue) }
    public var isIDR: Bool { self == .idrWithRADL || self == .idrNoLeadingPictures }
    public var isParameterSet: Bool { (32...34).contains(rawValue) }

    public var description: String {
        switch self {
        case .videoParameterSet: return "VPS"
        case .sequenceParameterSet: return "SPS"
        case .pictureParameterSet: return "PPS"
        case .accessUnitDelimiter: return "AUD"
        case .prefixSEI: return "prefix SEI"
        case .suffixSEI: return "suffix SEI"
        case .cra: return "CRA"
        default: return isIDR ? "IDR" : "type \(rawValue)"
        }
    }
}
