import MediaCore

/// The latest VPS, SPS and PPS of an H.264 or H.265 track, from the SDP and then in band: the
/// recorder's sample description follows them, so a camera whose SDP sets are missing, empty
/// or wrong is recorded from the sets it sends before its first IDR.
struct VideoParameterSets: Sendable, Equatable {
    let codec: Codec
    private(set) var vps: [[UInt8]] = []
    private(set) var sps: [[UInt8]] = []
    private(set) var pps: [[UInt8]] = []

    init(codec: Codec) {
        self.codec = codec
    }

    /// Keeps the parameter sets among `units` (each kind replaced by the new ones); true when
    /// any changed.
    @discardableResult
    mutating func take(_ units: [ArraySlice<UInt8>]) -> Bool {
        var newVPS: [[UInt8]] = [], newSPS: [[UInt8]] = [], newPPS: [[UInt8]] = []
        for unit in units {
            if codec == .h264, let type = H264NALUnitType(nalUnit: unit) {
                if type == .sequenceParameterSet { newSPS.append(Array(unit)) }
                if type == .pictureParameterSet { newPPS.append(Array(unit)) }
            } else if codec == .h265, let type = H265NALUnitType(nalUnit: unit) {
                if type == .videoParameterSet { newVPS.append(Array(unit)) }
                if type == .sequenceParameterSet { newSPS.append(Array(unit)) }
                if type == .pictureParameterSet { newPPS.append(Array(unit)) }
            }
        }
        let before = self
        if !newVPS.isEmpty { vps = newVPS }
        if !newSPS.isEmpty { sps = newSPS }
        if !newPPS.isEmpty { pps = newPPS }
        return before != self
    }

    var isComplete: Bool { !sps.isEmpty && !pps.isEmpty && (codec == .h264 || !vps.isEmpty) }

    /// The description of the sets; nil while one kind is missing.
    func sampleDescription() throws(CodecError) -> SampleDescription? {
        guard isComplete else { return nil }
        if codec == .h264 {
            let record = try AVCDecoderConfigurationRecord(sequenceParameterSets: sps, pictureParameterSets: pps)
            return try .h264(configuration: try record.serialized())
        }
        let record = try HEVCDecoderConfigurationRecord(videoParameterSets: vps, sequenceParameterSets: sps, pictureParameterSets: pps)
        return try .h265(configuration: try record.serialized())
    }
}
