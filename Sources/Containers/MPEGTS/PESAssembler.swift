/// Reassembles the PES packets of one PID from its TS packets, checking the continuity
/// counter (ISO/IEC 13818-1 2.4.3.3).
///
/// A PES with a PES_packet_length is complete when that many bytes have arrived; one with
/// length 0 (video) when the next packet with payload_unit_start arrives, or at the end of the
/// stream. A continuity error, a transport error, or a PES beyond `maxPESSize` drops the PES
/// in progress and everything up to the next unit start: only the broken PES is lost.
struct PESAssembler: Sendable {
    /// An access unit of 4K video at 50 Mbps with generous headroom: 8 MiB. A PES beyond it is
    /// damage (or hostile), and buffering it would be unbounded for length-0 video PES.
    static let maxPESSize = 8 << 20

    enum Outcome: Equatable {
        /// A complete PES packet.
        case completed([UInt8])
        /// A PES in progress was dropped (continuity or transport error, truncated, too large).
        case dropped(Reason)
    }

    enum Reason: Equatable {
        case continuity, transportError, truncated, tooLarge
    }

    private var buffer: [UInt8] = []
    private var collecting = false
    /// PES_packet_length + 6, when the PES has a length.
    private var expectedSize: Int?
    private var lastCC: UInt8?
    /// Continuity counter jumps seen on this PID.
    private(set) var continuityErrorCount = 0

    /// Takes one packet of this PID.
    mutating func push(_ packet: TSPacket) -> [Outcome] {
        var outcomes: [Outcome] = []
        if packet.transportError {
            drop(.transportError, into: &outcomes)
            lastCC = nil
            return outcomes
        }
        // The CC counts packets with payload only; one duplicate packet is allowed (2.4.3.3).
        guard let payload = packet.payload else { return outcomes }
        if let lastCC, packet.adaptationField?.discontinuity != true {
            if packet.continuityCounter == lastCC { return outcomes }
            if packet.continuityCounter != (lastCC + 1) & 0x0F {
                continuityErrorCount += 1
                drop(.continuity, into: &outcomes)
            }
        }
        lastCC = packet.continuityCounter

        if packet.payloadUnitStart {
            if collecting {
                if expectedSize == nil {
                    outcomes.append(.completed(buffer))
                } else {
                    outcomes.append(.dropped(.truncated))
                }
            }
            buffer = Array(payload)
            collecting = true
            expectedSize = nil
        } else if collecting {
            buffer.append(contentsOf: payload)
        } else {
            return outcomes
        }
        if expectedSize == nil, buffer.count >= PESHeader.prefixSize {
            let length = Int(buffer[4]) << 8 | Int(buffer[5])
            if length > 0 { expectedSize = PESHeader.prefixSize + length }
        }
        if let expectedSize, buffer.count >= expectedSize {
            outcomes.append(.completed(Array(buffer[0..<expectedSize])))
            reset()
        } else if buffer.count > Self.maxPESSize {
            drop(.tooLarge, into: &outcomes)
        }
        return outcomes
    }

    /// At the end of the stream: a PES without a length is complete, one with a length is not.
    mutating func flush() -> Outcome? {
        defer { reset() }
        guard collecting else { return nil }
        return expectedSize == nil ? .completed(buffer) : .dropped(.truncated)
    }

    private mutating func drop(_ reason: Reason, into outcomes: inout [Outcome]) {
        if collecting { outcomes.append(.dropped(reason)) }
        reset()
    }

    private mutating func reset() {
        buffer = []
        collecting = false
        expectedSize = nil
    }
}
