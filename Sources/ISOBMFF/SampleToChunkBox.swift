import MediaCore

/// `stsc`: how many samples each chunk holds, and their sample description, run-length coded
/// over chunks. Contained in `stbl`. (ISO/IEC 14496-12 8.7.4)
public typealias SampleToChunkBox = EntryTableBox<SampleToChunkTable>

/// The entries of `stsc`.
public enum SampleToChunkTable: EntryTable {
    public static let type: FourCC = "stsc"

    public struct Entry: EntryTableEntry {
        public static let byteCount = 12

        /// 1-based index of the first chunk of the run; the run lasts until the next entry's.
        public var firstChunk: UInt32
        public var samplesPerChunk: UInt32
        /// 1-based index into `stsd`.
        public var sampleDescriptionIndex: UInt32
    }
}

// Outside the struct body, so that Swift still synthesizes the memberwise init; other modules
// add entries through `appendChunk`.
extension SampleToChunkTable.Entry {
    public init(reading reader: inout ByteReader, in box: FourCC) throws(MP4ParseError) {
        self.init(firstChunk: try reader.read(in: box), samplesPerChunk: try reader.read(in: box),
                  sampleDescriptionIndex: try reader.read(in: box))
    }

    public func write(to writer: inout ByteWriter) {
        writer.write(firstChunk)
        writer.write(samplesPerChunk)
        writer.write(sampleDescriptionIndex)
    }
}

extension Array where Element == SampleToChunkTable.Entry {
    /// Adds chunk `number` (1-based) holding `samples` samples of description
    /// `descriptionIndex`: a chunk shaped as the last run continues it, otherwise it starts a
    /// new entry.
    public mutating func appendChunk(_ number: UInt32, samples: UInt32, descriptionIndex: UInt32) {
        if let last, last.samplesPerChunk == samples, last.sampleDescriptionIndex == descriptionIndex { return }
        append(Element(firstChunk: number, samplesPerChunk: samples, sampleDescriptionIndex: descriptionIndex))
    }
}
