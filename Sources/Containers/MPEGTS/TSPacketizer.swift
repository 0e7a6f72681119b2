import MediaCore

/// Cuts PES packets and PSI sections into 188-byte TS packets, keeping each PID's continuity
/// counter.
///
/// A PES fills its packets from the first byte; the last packet gets adaptation-field stuffing
/// (2.4.3.5), so a PES always ends at a packet boundary. A section starts with a zero
/// pointer_field and its last packet is padded with 0xFF (2.4.4.1).
struct TSPacketizer: Sendable {
    private var counters: [UInt16: UInt8] = [:]

    /// Appends the packets of `pes` on `pid`. The first packet carries `pcr` (27 MHz) and the
    /// random access flag when asked.
    mutating func appendPES(_ pes: [UInt8], pid: UInt16, pcr: UInt64?, randomAccess: Bool, to writer: inout ByteWriter) {
        var offset = 0
        var first = true
        while offset < pes.count {
            let field: TSAdaptationField? = first && (pcr != nil || randomAccess)
                ? TSAdaptationField(randomAccess: randomAccess, pcr: pcr) : nil
            let fieldSize = field?.minimumSize ?? 0
            let chunk = min(TSPacket.maxPayloadSize - fieldSize, pes.count - offset)
            let stuffing = TSPacket.maxPayloadSize - fieldSize - chunk
            writeHeader(pid: pid, unitStart: first, hasAdaptationField: field != nil || stuffing > 0, to: &writer)
            if let field {
                field.write(size: fieldSize + stuffing, to: &writer)
            } else if stuffing > 0 {
                TSAdaptationField().write(size: stuffing, to: &writer)
            }
            writer.write(bytes: pes[offset..<(offset + chunk)])
            offset += chunk
            first = false
        }
    }

    /// Appends the packets of one section on `pid`.
    mutating func appendSection(_ section: [UInt8], pid: UInt16, to writer: inout ByteWriter) {
        let data = [0] + section  // pointer_field: the section starts right after it
        var offset = 0
        while offset < data.count {
            let chunk = min(TSPacket.maxPayloadSize, data.count - offset)
            writeHeader(pid: pid, unitStart: offset == 0, hasAdaptationField: false, to: &writer)
            writer.write(bytes: data[offset..<(offset + chunk)])
            writer.write(bytes: repeatElement(UInt8(0xFF), count: TSPacket.maxPayloadSize - chunk))
            offset += chunk
        }
    }

    private mutating func writeHeader(pid: UInt16, unitStart: Bool, hasAdaptationField: Bool, to writer: inout ByteWriter) {
        let counter = counters[pid, default: 0]
        counters[pid] = (counter + 1) & 0x0F
        writer.write(TSPacket.syncByte)
        writer.write(UInt16(unitStart ? 0x4000 : 0) | (pid & 0x1FFF))
        writer.write(UInt8((hasAdaptationField ? 0x30 : 0x10) | counter))
    }
}
