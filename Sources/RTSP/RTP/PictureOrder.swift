import MediaCore

/// Where each H.264 or H.265 picture of a track stands in presentation order: its picture
/// order count within the coded sequence it belongs to (a new sequence at each IDR, BLA, or
/// the stream's first CRA). A picture whose POC cannot be read (parameter sets not yet known)
/// is placed by its presentation time instead.
struct PictureOrder: Sendable {
    struct Key: Sendable, Comparable {
        var sequence: Int
        var count: Int64
        static func < (a: Key, b: Key) -> Bool { (a.sequence, a.count) < (b.sequence, b.count) }
    }

    private var h264: H264PictureOrderCounter?
    private var h265: H265PictureOrderCounter?
    private var sequence = 0

    init(codec: Codec) {
        if codec == .h264 { h264 = H264PictureOrderCounter() }
        if codec == .h265 { h265 = H265PictureOrderCounter() }
    }

    /// The reorder depth the SPS declares, if it does.
    var declaredDepth: Int? { h264?.declaredReorderDepth ?? h265?.declaredReorderDepth }

    /// Parameter sets among `units` are kept; the key of the picture among them, if any.
    mutating func key(of units: [ArraySlice<UInt8>], pts: Int64) -> Key {
        var firstSlice: ArraySlice<UInt8>?
        for unit in units {
            if h264 != nil, let type = H264NALUnitType(nalUnit: unit) {
                if type.isParameterSet { h264!.take(parameterSet: unit) }
                if type.isVCL && firstSlice == nil { firstSlice = unit }
            } else if h265 != nil, let type = H265NALUnitType(nalUnit: unit) {
                if type.isParameterSet { h265!.take(parameterSet: unit) }
                if type.isVCL && firstSlice == nil { firstSlice = unit }
            }
        }
        guard let slice = firstSlice else { return Key(sequence: sequence, count: pts) }
        var count: Int64?
        if h264 != nil {
            if H264NALUnitType(nalUnit: slice)?.isIDR == true { sequence += 1 }
            count = h264!.pictureOrderCount(firstSlice: slice)
        } else if h265 != nil {
            if h265!.startsSequence(slice) { sequence += 1 }
            count = h265!.pictureOrderCount(firstSlice: slice)
        }
        return Key(sequence: sequence, count: count ?? pts)
    }
}
