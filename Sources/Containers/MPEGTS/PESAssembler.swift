/// Reassembles the PES packets of one PID from its TS packets, checking the continuity
/// counter (ISO/IEC 13818-1 2.4.3.3).
///
/// A PES with a PES_packet_length is complete when that many bytes have arrived; one with
/// length 0 (video) when the next packet with payload_unit_start arrives, or at the end of the
/// stream. A continuity error, a transport error, or a PES beyond `maxPESSize` drops the PES
/// in progress and everything up to the next unit start: only the broken PES is lost. A
/// continuity jump at the start of a PES whose time jumps too is a restarted muxer, not loss:
/// the unbounded PES it ends is kept.
struct PESAssembler: Sendable {
    /// An access unit of 4K video at 50 Mbps with generous headroom: 8 MiB. A PES beyond it is
    /// damage (or hostile), and buffering it would be unbounded for length-0 video PES.
    static let maxPESSize = 8 << 20

    enum Outcome: Equatable {
        /// A complete PES packet; `newTimeBase` when it started after a time-base
        /// discontinuity (its timestamps may jump).
        case completed([UInt8], newTimeBase: Bool)
        /// A PES in progress was dropped (continuity or transport error, truncated, too large).
        case dropped(Reason)
    }

    enum Reason: Equatable {
        case continuity, transportError, truncated, tooLarge
    }

    private var buffer: [UInt8] = []
    /// The size of the last PES completed: a new one reserves half again as much, so that the
    /// buffer rarely grows (each growth copies what it holds).
    private var lastSize = 0
    private var collecting = false
    /// PES_packet_length + 6, when the PES has a length.
    private var expectedSize: Int?
    private var lastCC: UInt8?
    /// The PES in progress started after a time-base discontinuity.
    private var onNewTimeBase = false
    /// Continuity counter jumps seen on this PID.
    private(set) var continuityErrorCount = 0

    /// Takes one packet of this PID. `newTimeBase`: a discontinuity_indicator of the program's
    /// PCR came at or before this packet and no PES of this PID has started since.
    mutating func push(_ packet: TSPacket, newTimeBase: Bool = false) -> [Outcome] {
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
                if !(packet.payloadUnitStart && isRestart(at: payload)) { drop(.continuity, into: &outcomes) }
            }
        }
        lastCC = packet.continuityCounter

        if packet.payloadUnitStart {
            if collecting {
                if expectedSize == nil {
                    lastSize = buffer.count
                    outcomes.append(.completed(buffer, newTimeBase: onNewTimeBase))
                } else {
                    outcomes.append(.dropped(.truncated))
                }
            }
            buffer = []
            buffer.reserveCapacity(max(expectedLength(startingWith: payload), lastSize + lastSize / 2))
            buffer.append(contentsOf: payload)
            collecting = true
            expectedSize = nil
            onNewTimeBase = newTimeBase
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
            // Cut to its length in place (the array is this assembler's alone): no copy.
            buffer.removeSubrange(expectedSize...)
            lastSize = buffer.count
            outcomes.append(.completed(buffer, newTimeBase: onNewTimeBase))
            reset()
        } else if buffer.count > Self.maxPESSize {
            drop(.tooLarge, into: &outcomes)
        }
        return outcomes
    }

    /// PES_packet_length + 6 from the first packet's payload, 0 when it is not given.
    private func expectedLength(startingWith payload: ArraySlice<UInt8>) -> Int {
        guard payload.count >= PESHeader.prefixSize else { return 0 }
        let length = Int(payload[payload.startIndex + 4]) << 8 | Int(payload[payload.startIndex + 5])
        return length > 0 ? PESHeader.prefixSize + length : 0
    }

    /// Whether a new PES starting with `payload` after a continuity jump is a restart of the
    /// muxer (its counters and its clock start again) rather than lost packets: its time is
    /// more than `restartTimeJump` away from the PES in progress. Then the PES in progress,
    /// unbounded video that only the next start ends, arrived whole and is kept.
    private func isRestart(at payload: ArraySlice<UInt8>) -> Bool {
        guard collecting, expectedSize == nil,
              let old = try? PESHeader(parsing: buffer, pid: 0).pts,
              let new = try? PESHeader(parsing: Array(payload), pid: 0).pts else { return false }
        let distance = (new &- old) & (PESHeader.timestampModulus - 1)
        return min(distance, PESHeader.timestampModulus - distance) > Self.restartTimeJump
    }

    /// 0.5 s at 90 kHz: lost packets within a PID skip a few frames, not half a second (the
    /// jitter tolerance of `TimelineNormalizer`).
    static let restartTimeJump: UInt64 = 45_000

    /// At the end of the stream: a PES without a length is complete, one with a length is not.
    mutating func flush() -> Outcome? {
        defer { reset() }
        guard collecting else { return nil }
        return expectedSize == nil ? .completed(buffer, newTimeBase: onNewTimeBase) : .dropped(.truncated)
    }

    private mutating func drop(_ reason: Reason, into outcomes: inout [Outcome]) {
        if collecting { outcomes.append(.dropped(reason)) }
        reset()
    }

    private mutating func reset() {
        buffer = []
        collecting = false
        expectedSize = nil
        onNewTimeBase = false
    }
}
