import MediaCore

/// One entry of `stsd`: a box named after the coding (`avc1`, `mp4a`) whose fields depend on
/// the kind of media. (ISO/IEC 14496-12 8.5.2.2)
///
/// Entries this module does not model are kept as raw boxes and written back unchanged.
public enum SampleEntry: Sendable, Equatable {
    case visual(VisualSampleEntry)
    case audio(AudioSampleEntry)
    case other(RawBox)

    /// The box type, which names the coding.
    public var codingName: FourCC {
        switch self {
        case let .visual(entry): return entry.codingName
        case let .audio(entry): return entry.codingName
        case let .other(box): return box.type
        }
    }

    public var size: Int64 {
        switch self {
        case let .visual(entry): return BoxHeader(type: entry.codingName, bodySize: Int64(entry.bodySize)).size
        case let .audio(entry): return BoxHeader(type: entry.codingName, bodySize: Int64(entry.bodySize)).size
        case let .other(box): return box.size
        }
    }

    public func write(to writer: inout ByteWriter) {
        switch self {
        case let .visual(entry): writer.writeBox(entry.codingName, bodySize: entry.bodySize) { entry.writeBody(to: &$0) }
        case let .audio(entry): writer.writeBox(entry.codingName, bodySize: entry.bodySize) { entry.writeBody(to: &$0) }
        case let .other(box): box.write(to: &writer)
        }
    }

    /// Parses the entry at the reader's position inside `stsd`.
    init(parsing reader: inout ByteReader) throws(MP4ParseError) {
        let header = try BoxHeader.parse(&reader, at: Int64(reader.position), available: Int64(reader.remaining),
                                         parent: SampleDescriptionBox.type)
        var body = try reader.readSubReader(Int(header.bodySize), in: header.type)
        if VisualSampleEntry.codingNames.contains(header.type) {
            self = .visual(try VisualSampleEntry(codingName: header.type, body: &body))
        } else if AudioSampleEntry.codingNames.contains(header.type) {
            self = .audio(try AudioSampleEntry(codingName: header.type, body: &body))
        } else {
            self = .other(RawBox(type: header.type, userType: header.userType, body: body.readRemainingBytes()))
        }
        guard body.isAtEnd else {
            throw .bodyNotConsumed(header.type, leftover: body.remaining, at: Int64(body.position))
        }
    }
}
