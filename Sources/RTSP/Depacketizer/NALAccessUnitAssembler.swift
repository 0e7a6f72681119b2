/// The access-unit half of the H.264 and H.265 depacketizers: NAL units collect under one RTP
/// timestamp and leave as an access unit at the marker bit or, for cameras that omit the
/// marker bit, when the next timestamp starts. A fragmented NAL unit (FU-A, FU) is built here
/// too; a gap drops the damaged unit's access unit only.
struct NALAccessUnitAssembler: Sendable {
    private var timestamp: UInt32?
    private var units: [ArraySlice<UInt8>] = []
    private var bytes = 0
    private var damaged = false
    /// The NAL unit being reassembled from fragments; nil when none.
    private var fragment: [UInt8]?

    /// Starts a new access unit when `timestamp` differs from the current one.
    mutating func begin(_ timestamp: UInt32, into output: inout [RTPAccessUnit]) {
        if let current = self.timestamp, current != timestamp { flush(into: &output) }
        self.timestamp = timestamp
    }

    mutating func append(_ unit: ArraySlice<UInt8>) {
        guard !unit.isEmpty else { return }
        bytes += unit.count
        if bytes > RTPDepacketizerLimits.maxAccessUnitBytes || units.count >= RTPDepacketizerLimits.maxUnitsPerAccessUnit {
            damaged = true
            return
        }
        units.append(unit)
    }

    mutating func startFragment(header: [UInt8], _ data: ArraySlice<UInt8>) {
        if fragment != nil { damaged = true }  // the previous one never ended: its end was lost
        fragment = header + data
    }

    mutating func continueFragment(_ data: ArraySlice<UInt8>, end: Bool) {
        guard fragment != nil else {
            damaged = true  // a middle or end without its start: the start was lost
            return
        }
        fragment!.append(contentsOf: data)
        if fragment!.count > RTPDepacketizerLimits.maxAccessUnitBytes {
            fragment = nil
            damaged = true
            return
        }
        if end {
            append(fragment![...])
            fragment = nil
        }
    }

    mutating func markDamaged() {
        damaged = true
        fragment = nil
    }

    /// Hands on the access unit collected so far (nothing when damaged or empty).
    mutating func flush(into output: inout [RTPAccessUnit]) {
        if let timestamp, !damaged, fragment == nil, !units.isEmpty {
            output.append(RTPAccessUnit(rtpTimestamp: timestamp, units: units))
        }
        units = []
        bytes = 0
        damaged = false
        fragment = nil
    }
}
