/// Collects the PSI sections of one PID from its packets' payloads (ISO/IEC 13818-1 2.4.4.1):
/// a packet that starts a section carries a pointer_field saying where, sections may span
/// packets, and 0xFF after a section is stuffing up to the end of the packet.
struct SectionAssembler: Sendable {
    private var buffer: [UInt8] = []
    private var collecting = false

    /// The sections completed by this payload.
    mutating func push(_ payload: ArraySlice<UInt8>, unitStart: Bool) -> [[UInt8]] {
        var sections: [[UInt8]] = []
        if unitStart {
            guard let pointer = payload.first.map(Int.init), pointer < payload.count else {
                reset()
                return []
            }
            let start = payload.startIndex + 1
            if collecting {
                buffer.append(contentsOf: payload[start..<(start + pointer)])
                extract(into: &sections)
            }
            buffer = Array(payload[(start + pointer)...])
            collecting = true
        } else if collecting {
            buffer.append(contentsOf: payload)
        }
        extract(into: &sections)
        return sections
    }

    /// Forgets a partial section (after a continuity error).
    mutating func reset() {
        buffer.removeAll()
        collecting = false
    }

    private mutating func extract(into sections: inout [[UInt8]]) {
        while collecting {
            guard let tableID = buffer.first, tableID != 0xFF else {
                // Stuffing, or nothing yet: the rest of this packet holds no section.
                if buffer.first == 0xFF { reset() }
                return
            }
            guard buffer.count >= PSISection.prefixSize else { return }
            // section_length is 12 bits, so a section never holds more than 4098 bytes here.
            let length = Int(buffer[1] & 0x0F) << 8 | Int(buffer[2])
            let total = PSISection.prefixSize + length
            guard buffer.count >= total else { return }
            sections.append(Array(buffer[0..<total]))
            buffer.removeFirst(total)
        }
    }
}
