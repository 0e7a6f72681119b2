/// H.264 and H.265 over RTP: what the two payload formats share (NAL units collected into
/// access units by `NALAccessUnitAssembler`, the marker bit ending one) around what differs,
/// the packet types each defines.
/// - H.264 (RFC 6184), non-interleaved mode: single NAL unit packets (types 1-23), STAP-A (24)
///   and FU-A (28). STAP-B, MTAP and FU-B belong to the interleaved mode that cameras do not
///   use; such packets drop their access unit.
/// - H.265 (RFC 7798) without DONL (sprop-max-don-diff 0, what cameras send): single NAL unit
///   packets, aggregation packets (48) and fragmentation units (49). PACI packets (50) carry
///   nothing a recorder needs and are skipped.
public struct NALDepacketizer: RTPDepacketizer {
    public enum PayloadFormat: Sendable {
        case h264, h265
    }

    public let format: PayloadFormat
    private var assembler = NALAccessUnitAssembler()

    public init(_ format: PayloadFormat) {
        self.format = format
    }

    public mutating func push(_ packet: RTPPacket) throws(RTSPError) -> [RTPAccessUnit] {
        var output: [RTPAccessUnit] = []
        assembler.begin(packet.timestamp, into: &output)
        let taken: Bool
        switch format {
        case .h264: taken = try takeH264(packet.payload)
        case .h265: taken = try takeH265(packet.payload)
        }
        guard taken else { return output }
        if packet.marker { assembler.flush(into: &output) }
        return output
    }

    public mutating func packetsLost() {
        assembler.markDamaged()
    }

    public mutating func finish() -> [RTPAccessUnit] { assembler.finish() }

    /// One H.264 packet's NAL units into the access unit; false when it is too short to have a
    /// NAL unit header (ignored).
    private mutating func takeH264(_ payload: ArraySlice<UInt8>) throws(RTSPError) -> Bool {
        guard let indicator = payload.first else { return false }
        let type = indicator & 0x1F
        switch type {
        case 1...23:
            assembler.append(payload)
        case 24:  // STAP-A (5.7.1)
            try assembler.appendAggregated(payload, from: payload.startIndex + 1, codec: "H.264", kind: "STAP-A")
        case 28:  // FU-A (5.8)
            guard payload.count >= 2 else {
                assembler.markDamaged()
                throw .malformedPayload(codec: "H.264", reason: "FU-A of \(payload.count) bytes")
            }
            let header = payload[payload.startIndex + 1]
            let start = header & 0x80 != 0, end = header & 0x40 != 0
            let data = payload[(payload.startIndex + 2)...]
            assembler.fragment(header: [indicator & 0xE0 | header & 0x1F], data, start: start, end: end)
        default:
            assembler.markDamaged()
            throw .malformedPayload(codec: "H.264", reason: "packetization type \(type) (interleaved mode) not supported")
        }
        return true
    }

    /// The same for H.265, whose NAL unit header is two bytes.
    private mutating func takeH265(_ payload: ArraySlice<UInt8>) throws(RTSPError) -> Bool {
        guard payload.count >= 2 else { return false }
        let s = payload.startIndex
        let type = (payload[s] >> 1) & 0x3F
        switch type {
        case 48:  // AP (4.4.2)
            try assembler.appendAggregated(payload, from: s + 2, codec: "H.265", kind: "AP")
        case 49:  // FU (4.4.3)
            guard payload.count >= 3 else {
                assembler.markDamaged()
                throw .malformedPayload(codec: "H.265", reason: "FU of \(payload.count) bytes")
            }
            let header = payload[s + 2]
            let start = header & 0x80 != 0, end = header & 0x40 != 0
            let data = payload[(s + 3)...]
            assembler.fragment(header: [payload[s] & 0x81 | (header & 0x3F) << 1, payload[s + 1]], data, start: start, end: end)
        case 50:
            break
        default:
            assembler.append(payload)
        }
        return true
    }
}
