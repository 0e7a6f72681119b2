/// The sequence and picture parameter sets of an H.264 or H.265 stream seen so far, by id:
/// what a slice header refers to through its PPS id, and the PPS through its SPS id
/// (H.264 7.4.1.2.1, H.265 7.4.2.4.2). A later set with the same id replaces the earlier one.
struct ParameterSetTable<SPS: ParameterSet, PPS: PictureParameterSet>: Sendable {
    private var sequenceSets: [UInt8: SPS] = [:]
    private var pictureSets: [UInt8: PPS] = [:]

    /// Keeps `nalUnit` when it is an SPS or a PPS that parses; other units and damaged sets are
    /// ignored (each parser refuses a unit of another type).
    mutating func take(_ nalUnit: ArraySlice<UInt8>) {
        if let sps = try? SPS(nalUnit: nalUnit) {
            sequenceSets[sps.id] = sps
        } else if let pps = try? PPS(nalUnit: nalUnit) {
            pictureSets[pps.id] = pps
        }
    }

    /// One of the SPSs, for what a stream declares once (every SPS of a stream says the same).
    var anySequenceSet: SPS? { sequenceSets.values.first }

    /// The PPS `pictureSetID` names and the SPS it refers to; nil when either is unknown.
    func sets(pictureSetID: UInt32) -> (sps: SPS, pps: PPS)? {
        guard pictureSetID <= PPS.maxID, let pps = pictureSets[UInt8(pictureSetID)],
              let sps = sequenceSets[pps.seqParameterSetID] else { return nil }
        return (sps, pps)
    }
}

/// An SPS or PPS parsed from its NAL unit, with the id others refer to it by.
protocol ParameterSet: Sendable {
    var id: UInt8 { get }
    init<C: Collection<UInt8>>(nalUnit: C) throws(CodecError)
}

/// A PPS: it names the SPS it belongs to.
protocol PictureParameterSet: ParameterSet {
    static var maxID: UInt32 { get }
    var seqParameterSetID: UInt8 { get }
}

extension H264SequenceParameterSet: ParameterSet {}
extension H264PictureParameterSet: PictureParameterSet {}
extension H265SequenceParameterSet: ParameterSet {}
extension H265PictureParameterSet: PictureParameterSet {}

extension ParameterSet {
    /// Parses the first of a decoder configuration record's sets; a record without one throws.
    static func first(of nalUnits: [[UInt8]], in structure: String) throws(CodecError) -> Self {
        guard let first = nalUnits.first else { throw .missing(structure: structure, element: "sequence parameter set") }
        return try Self(nalUnit: first)
    }
}
