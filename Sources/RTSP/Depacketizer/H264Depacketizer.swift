/// H.264 over RTP (RFC 6184), non-interleaved mode: single NAL unit packets (types 1-23),
/// STAP-A (24) and FU-A (28). STAP-B, MTAP and FU-B belong to the interleaved mode that
/// cameras do not use; such packets drop their access unit.
public struct H264Depacketizer: RTPDepacketizer {
    private var assembler = NALAccessUnitAssembler()

    public init() {}

    public mutating func push(_ packet: RTPPacket) throws(RTSPError) -> [RTPAccessUnit] {
        var output: [RTPAccessUnit] = []
        assembler.begin(packet.timestamp, into: &output)
        let payload = packet.payload
        guard let indicator = payload.first else { return output }
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
        if packet.marker { assembler.flush(into: &output) }
        return output
    }

    public mutating func packetsLost() {
        assembler.markDamaged()
    }

    public mutating func finish() -> [RTPAccessUnit] { assembler.finish() }
}
