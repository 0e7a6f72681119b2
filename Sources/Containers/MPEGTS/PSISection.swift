import MediaCore

/// A long-form PSI section (ISO/IEC 13818-1 2.4.4.10): the envelope of the PAT and PMT.
///
/// ```
/// table_id(8) | section_syntax_indicator(1)=1 '0' reserved(2) section_length(12)
/// table_id_extension(16) | reserved(2) version_number(5) current_next_indicator(1)
/// section_number(8) | last_section_number(8) | data | CRC_32
/// ```
struct PSISection: Sendable, Equatable {
    /// section_length of a PAT or PMT may not exceed 1021 (2.4.4.3, 2.4.4.8).
    static let maxSectionLength = 1021
    /// Bytes before section_length's count starts (table_id and the length field).
    static let prefixSize = 3

    var tableID: UInt8
    var tableIDExtension: UInt16
    var version: UInt8
    var isCurrent: Bool
    /// The bytes between last_section_number and CRC_32.
    var data: [UInt8]

    /// Parses a whole section (from table_id to CRC_32) and checks its CRC.
    init(parsing bytes: [UInt8], pid: UInt16) throws(TSError) {
        guard bytes.count >= Self.prefixSize + 9 else { throw .invalidSection(pid: pid, reason: "\(bytes.count) bytes") }
        guard bytes[1] & 0x80 != 0 else { throw .invalidSection(pid: pid, reason: "short-form section") }
        let length = Int(bytes[1] & 0x0F) << 8 | Int(bytes[2])
        guard length + Self.prefixSize == bytes.count else {
            throw .invalidSection(pid: pid, reason: "section_length \(length) for \(bytes.count) bytes")
        }
        guard MPEG2CRC32.checksum(bytes) == 0 else { throw .invalidSection(pid: pid, reason: "CRC_32 mismatch") }
        tableID = bytes[0]
        tableIDExtension = UInt16(bytes[3]) << 8 | UInt16(bytes[4])
        version = (bytes[5] >> 1) & 0x1F
        isCurrent = bytes[5] & 0x01 != 0
        data = Array(bytes[8..<(bytes.count - 4)])
    }

    init(tableID: UInt8, tableIDExtension: UInt16, version: UInt8 = 0, data: [UInt8]) {
        self.tableID = tableID
        self.tableIDExtension = tableIDExtension
        self.version = version
        isCurrent = true
        self.data = data
    }

    /// The whole section with its CRC (a single section: numbers 0 of 0).
    func serialized() -> [UInt8] {
        var writer = ByteWriter(capacity: data.count + 12)
        writer.write(tableID)
        writer.write(UInt16(0xB000 | UInt16(5 + data.count + 4)))  // syntax 1, '0', reserved '11'
        writer.write(tableIDExtension)
        writer.write(UInt8(0xC0 | (version & 0x1F) << 1 | (isCurrent ? 1 : 0)))
        writer.write(UInt8(0))
        writer.write(UInt8(0))
        writer.write(bytes: data)
        writer.write(MPEG2CRC32.checksum(writer.bytes))
        return writer.bytes
    }
}
