/// The start of an H.264 picture parameter set, pic_parameter_set_rbsp() of ISO/IEC 14496-10
/// 7.3.2.2: the ids and the flag a slice header's picture order count depends on. The rest
/// (slice groups, quantizer defaults) is not read.
public struct H264PictureParameterSet: Sendable, Equatable {
    /// pic_parameter_set_id is 0...255 (7.4.2.2).
    public static let maxID: UInt32 = 255

    public let id: UInt8
    public let seqParameterSetID: UInt8
    public let entropyCodingMode: Bool
    /// bottom_field_pic_order_in_frame_present_flag: slice headers carry the bottom field's
    /// POC delta.
    public let bottomFieldPicOrderInFramePresent: Bool

    public init<C: Collection<UInt8>>(nalUnit: C) throws(CodecError) {
        let structure = "H.264 PPS"
        // Only the first 16 bytes of the RBSP hold the fields read here.
        var r = try RBSPReader(nalUnit: nalUnit.prefix(17), expected: H264NALUnitType.pictureParameterSet, structure: structure)
        id = UInt8(try r.ue("pic_parameter_set_id", max: Self.maxID))
        seqParameterSetID = UInt8(try r.ue("seq_parameter_set_id", max: H264SequenceParameterSet.maxID))
        entropyCodingMode = try r.flag("entropy_coding_mode_flag")
        bottomFieldPicOrderInFramePresent = try r.flag("bottom_field_pic_order_in_frame_present_flag")
    }
}
