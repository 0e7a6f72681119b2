/// G.711 (RFC 3551 4.5.14): each packet's payload is a run of 8-bit samples, one per clock
/// tick; a packet is one frame.
public struct G711Depacketizer: RTPDepacketizer {
    public init() {}

    public mutating func push(_ packet: RTPPacket) throws(RTSPError) -> [RTPAccessUnit] {
        packet.payload.isEmpty ? [] : [RTPAccessUnit(rtpTimestamp: packet.timestamp, units: [packet.payload])]
    }

    public mutating func packetsLost() {}
}
