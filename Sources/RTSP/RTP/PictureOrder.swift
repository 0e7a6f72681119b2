import MediaCore

/// Where each H.264 or H.265 picture of a track stands in presentation order: its picture
/// order count within the coded sequence it belongs to (a new sequence at each IDR, BLA, or
/// the stream's first CRA). A sequence whose first picture's POC cannot be read (parameter sets
/// not yet known) is ordered by presentation times; a picture without a readable POC in a
/// sequence that has them is placed after the pictures before it.
struct PictureOrder: Sendable {
    struct Key: Sendable, Comparable {
        var sequence: Int
        var count: Int64
        static func < (a: Key, b: Key) -> Bool { (a.sequence, a.count) < (b.sequence, b.count) }
    }

    private var h264: H264PictureOrderCounter?
    private var h265: H265PictureOrderCounter?
    private var sequence = 0
    /// Whether the current sequence is ordered by POC, and the largest count given in it.
    private var byCount = false
    private var largest: Int64 = 0

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
        var starts = false
        if h264 != nil {
            starts = H264NALUnitType(nalUnit: slice)?.isIDR == true
            count = h264!.pictureOrderCount(firstSlice: slice)
        } else if h265 != nil {
            starts = h265!.startsSequence(slice)
            count = h265!.pictureOrderCount(firstSlice: slice)
        }
        if starts {
            sequence += 1
            byCount = count != nil
            largest = Int64.min
        }
        guard byCount else { return Key(sequence: sequence, count: pts) }
        let placed = count ?? (largest == Int64.min ? 0 : largest + 1)
        largest = max(largest, placed)
        return Key(sequence: sequence, count: placed)
    }
}
