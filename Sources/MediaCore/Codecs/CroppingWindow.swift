/// The offsets that cut a coded picture down to the displayed one: H.264 frame cropping
/// (14496-10 7.4.2.1.1, in CropUnitX/CropUnitY) and the H.265 conformance or default display
/// window (23008-2 7.4.3.2.1, E.3.1, in SubWidthC/SubHeightC). The unit is the codec's; the
/// parameter set that owns the window converts to luma samples.
public struct CroppingWindow: Sendable, Equatable {
    public var left: UInt32
    public var right: UInt32
    public var top: UInt32
    public var bottom: UInt32

    public init(left: UInt32, right: UInt32, top: UInt32, bottom: UInt32) {
        self.left = left
        self.right = right
        self.top = top
        self.bottom = bottom
    }

    /// Reads the four ue(v) offsets in syntax order (left, right, top, bottom).
    init(reading reader: inout RBSPReader) throws(CodecError) {
        left = try reader.ue("crop_left_offset")
        right = try reader.ue("crop_right_offset")
        top = try reader.ue("crop_top_offset")
        bottom = try reader.ue("crop_bottom_offset")
    }

    /// The displayed size of a `width` x `height` picture, each offset counting `unitX` or
    /// `unitY` samples. Throws when the window removes the whole picture.
    func croppedSize(width: Int, height: Int, unitX: Int, unitY: Int, structure: String) throws(CodecError) -> (width: Int, height: Int) {
        // Offsets are below 2^32 and units at most 4, so the products fit an Int.
        let horizontal = unitX * (Int(left) + Int(right))
        let vertical = unitY * (Int(top) + Int(bottom))
        guard horizontal < width else {
            throw .invalidValue(structure: structure, field: "crop left + right offsets", value: Int64(horizontal))
        }
        guard vertical < height else {
            throw .invalidValue(structure: structure, field: "crop top + bottom offsets", value: Int64(vertical))
        }
        return (width - horizontal, height - vertical)
    }
}
