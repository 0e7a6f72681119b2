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

    /// The NAL units of an aggregation packet (H.264 STAP-A, RFC 6184 5.7.1; H.265 AP, RFC 7798
    /// 4.4.2) from `start`: a 16-bit size, the unit, repeated. A size past the packet's end
    /// damages the access unit and throws, naming `codec` and the packet `kind`.
    mutating func appendAggregated(_ payload: ArraySlice<UInt8>, from start: Int, codec: String, kind: String) throws(RTSPError) {
        var i = start
        while i + 2 <= payload.endIndex {
            let size = Int(payload[i]) << 8 | Int(payload[i + 1])
            i += 2
            guard size > 0, i + size <= payload.endIndex else {
                markDamaged()
                throw .malformedPayload(codec: codec, reason: "\(kind) unit of \(size) bytes past the packet's end")
            }
            append(payload[i..<i + size])
            i += size
        }
    }

    /// One fragmentation unit (FU-A, FU): the start carries the rebuilt NAL unit `header`.
    /// Cameras that send a whole NAL unit as one fragment set both start and end.
    mutating func fragment(header: @autoclosure () -> [UInt8], _ data: ArraySlice<UInt8>, start: Bool, end: Bool) {
        if start {
            startFragment(header: header(), data)
            if end { continueFragment([], end: true) }
        } else {
            continueFragment(data, end: end)
        }
    }

    /// What is left at the end of the stream.
    mutating func finish() -> [RTPAccessUnit] {
        var output: [RTPAccessUnit] = []
        flush(into: &output)
        return output
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
