import MediaCore

/// `stsc`: how many samples each chunk holds, and their sample description, run-length coded
/// over chunks. Contained in `stbl`. (ISO/IEC 14496-12 8.7.4)
public struct SampleToChunkBox: Box {
    public static let type: FourCC = "stsc"

    public struct Entry: Sendable, Equatable {
        /// 1-based index of the first chunk of the run; the run lasts until the next entry's.
        public var firstChunk: UInt32
        public var samplesPerChunk: UInt32
        /// 1-based index into `stsd`.
        public var sampleDescriptionIndex: UInt32

        public init(firstChunk: UInt32, samplesPerChunk: UInt32, sampleDescriptionIndex: UInt32) {
            self.firstChunk = firstChunk
            self.samplesPerChunk = samplesPerChunk
            self.sampleDescriptionIndex = sampleDescriptionIndex
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    public init(body: inout ByteReader) throws(MP4ParseError) {
        let t = Self.type
        _ = try body.readVersion(in: t, supported: 0...0)
        let count = try body.readEntryCount(entrySize: 12, in: t)
        entries = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            entries.append(Entry(firstChunk: try body.read(in: t), samplesPerChunk: try body.read(in: t),
                                 sampleDescriptionIndex: try body.read(in: t)))
        }
    }

    public var bodySize: Int { 4 + 4 + 12 * entries.count }

    public func writeBody(to writer: inout ByteWriter) {
        writer.writeVersionAndFlags(0, 0)
        writer.write(UInt32(entries.count))
        for entry in entries {
            writer.write(entry.firstChunk)
            writer.write(entry.samplesPerChunk)
            writer.write(entry.sampleDescriptionIndex)
        }
    }
}
