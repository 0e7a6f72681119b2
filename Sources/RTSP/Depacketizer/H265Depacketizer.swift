/// H.265 over RTP (RFC 7798) without DONL (sprop-max-don-diff 0, what cameras send): single
/// NAL unit packets, aggregation packets (48) and fragmentation units (49). PACI packets (50)
/// carry nothing a recorder needs and are skipped.
public struct H265Depacketizer: RTPDepacketizer {
    private var assembler = NALAccessUnitAssembler()

    public init() {}

    public mutating func push(_ packet: RTPPacket) throws(RTSPError) -> [RTPAccessUnit] {
        var output: [RTPAccessUnit] = []
        assembler.begin(packet.timestamp, into: &output)
        let payload = packet.payload
        guard payload.count >= 2 else { return output }
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
        if packet.marker { assembler.flush(into: &output) }
        return output
    }

    public mutating func packetsLost() {
        assembler.markDamaged()
    }

    public mutating func finish() -> [RTPAccessUnit] { assembler.finish() }
}
