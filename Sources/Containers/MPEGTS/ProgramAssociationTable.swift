import MediaCore

/// The program association table (ISO/IEC 13818-1 2.4.4.3), on PID 0: which PID carries the
/// program map table of each program.
///
/// ```
/// { program_number(16) | reserved(3) PID(13) }...   (program 0: the network PID)
/// ```
public struct ProgramAssociationTable: Sendable, Equatable {
    public static let pid: UInt16 = 0
    static let tableID: UInt8 = 0x00

    public var transportStreamID: UInt16
    /// Program number to PMT PID, in table order, program 0 left out.
    public var programs: [(number: UInt16, pmtPID: UInt16)]

    public init(transportStreamID: UInt16 = 1, programs: [(number: UInt16, pmtPID: UInt16)]) {
        self.transportStreamID = transportStreamID
        self.programs = programs
    }

    init(section: PSISection, pid: UInt16) throws(TSError) {
        guard section.tableID == Self.tableID else { throw .invalidSection(pid: pid, reason: "table_id \(section.tableID) on PID 0") }
        guard section.data.count % 4 == 0 else { throw .invalidSection(pid: pid, reason: "PAT of \(section.data.count) bytes") }
        transportStreamID = section.tableIDExtension
        programs = stride(from: 0, to: section.data.count, by: 4).compactMap { i in
            let number = UInt16(section.data[i]) << 8 | UInt16(section.data[i + 1])
            let pid = UInt16(section.data[i + 2] & 0x1F) << 8 | UInt16(section.data[i + 3])
            return number == 0 ? nil : (number, pid)
        }
    }

    var section: PSISection {
        var writer = ByteWriter()
        for program in programs {
            writer.write(program.number)
            writer.write(UInt16(0xE000 | program.pmtPID))
        }
        return PSISection(tableID: Self.tableID, tableIDExtension: transportStreamID, data: writer.bytes)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.transportStreamID == rhs.transportStreamID
            && lhs.programs.map(\.number) == rhs.programs.map(\.number)
            && lhs.programs.map(\.pmtPID) == rhs.programs.map(\.pmtPID)
    }
}
