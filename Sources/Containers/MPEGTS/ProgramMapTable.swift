import MediaCore

/// The program map table (ISO/IEC 13818-1 2.4.4.8): the elementary streams of a program and
/// the PID carrying its PCR.
///
/// ```
/// reserved(3) PCR_PID(13) | reserved(4) program_info_length(12) | descriptors
/// { stream_type(8) | reserved(3) elementary_PID(13) | reserved(4) ES_info_length(12) | descriptors }...
/// ```
public struct ProgramMapTable: Sendable, Equatable {
    static let tableID: UInt8 = 0x02

    public struct Stream: Sendable, Equatable {
        public var streamType: TSStreamType
        public var pid: UInt16
        /// The ES_info descriptors as they are (tag, length, body...): `StreamDescriptors`
        /// reads the ones that name a codec.
        public var descriptors: [UInt8] = []

        /// The codec: by stream type, or for private data by its descriptors.
        public var codec: Codec? {
            streamType == .privateData ? StreamDescriptors(descriptors).privateDataCodec : streamType.codec
        }
    }

    public var programNumber: UInt16
    public var pcrPID: UInt16
    public var streams: [Stream]
}

// Outside the struct body, so that Swift still synthesizes the memberwise init (the writer and
// the tests build tables with it).
extension ProgramMapTable {
    init(section: PSISection, pid: UInt16) throws(TSError) {
        guard section.tableID == Self.tableID else { throw .invalidSection(pid: pid, reason: "table_id \(section.tableID) for a PMT") }
        var r = ByteReader(section.data)
        do {
            programNumber = section.tableIDExtension
            pcrPID = try r.readInteger(UInt16.self) & 0x1FFF
            try r.skip(Int(try r.readInteger(UInt16.self) & 0x0FFF))
            var streams: [Stream] = []
            while !r.isAtEnd {
                let type = TSStreamType(rawValue: try r.readInteger(UInt8.self))
                let streamPID = try r.readInteger(UInt16.self) & 0x1FFF
                let descriptors = try r.readBytes(Int(try r.readInteger(UInt16.self) & 0x0FFF))
                streams.append(Stream(streamType: type, pid: streamPID, descriptors: descriptors))
            }
            self.streams = streams
        } catch {
            throw .invalidSection(pid: pid, reason: "PMT: \(error)")
        }
    }

    var section: PSISection {
        var writer = ByteWriter()
        writer.write(UInt16(0xE000 | pcrPID))
        writer.write(UInt16(0xF000))
        for stream in streams {
            writer.write(stream.streamType.rawValue)
            writer.write(UInt16(0xE000 | stream.pid))
            writer.write(UInt16(0xF000 | stream.descriptors.count & 0x0FFF))
            writer.write(bytes: stream.descriptors)
        }
        return PSISection(tableID: Self.tableID, tableIDExtension: programNumber, data: writer.bytes)
    }
}
