/// The NAL unit type of H.264 or H.265 (`H264NALUnitType`, `H265NALUnitType`): what code that
/// handles both codecs the same way asks of a unit (parameter-set parsers, the Annex B split).
public protocol NALUnitKind: Equatable, Sendable {
    /// Bytes of the NAL unit header: 1 in H.264 (7.3.1), 2 in H.265 (7.3.1.2).
    static var headerByteCount: Int { get }
    static var accessUnitDelimiter: Self { get }
    static var sequenceParameterSet: Self { get }
    static var pictureParameterSet: Self { get }
    /// The type of `nalUnit`, or nil for an empty one.
    init?<C: Collection<UInt8>>(nalUnit: C)
    var rawValue: UInt8 { get }
    /// A coded slice.
    var isVCL: Bool { get }
    /// A slice of a picture decoding can start at: IDR in H.264 (14496-10 7.4.1.2.4), IRAP in
    /// H.265 (23008-2 7.4.2.2). A keyframe for the recorder.
    var isRandomAccessPoint: Bool { get }
    /// A video parameter set (H.265 only).
    var isVideoParameterSet: Bool { get }
}

extension H264NALUnitType: NALUnitKind {
    public static var headerByteCount: Int { 1 }
    public var isRandomAccessPoint: Bool { isIDR }
    public var isVideoParameterSet: Bool { false }
}

extension H265NALUnitType: NALUnitKind {
    public static var headerByteCount: Int { 2 }
    public var isRandomAccessPoint: Bool { isIRAP }
    public var isVideoParameterSet: Bool { self == .videoParameterSet }
}
