import MediaCore

/// `stts`: decoding time deltas, run-length coded. Contained in `stbl`. (ISO/IEC 14496-12 8.6.1.2)
///
/// The decoding time of sample n is the sum of the deltas before it; the first sample decodes at 0.
public struct TimeToSampleBox: Box {
    public static let type: FourCC = "stts"

    public struct Entry: Sendable, Equatable {
        public var sampleCount: UInt32
        /// Duration of each of these samples, in the media timescale.
        public var sampleDelta: UInt32

        public init(sampleCount: UInt32, sampleDelta: UInt32) {
            self.sampleCount = sampleCount
            self.sampleDelta = sampleDelta
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    public init(body: inout ByteReader) throws(MP4ParseError) {
        _ = try body.readVersion(in: Self.type, supported: 0...0)
        let count = try body.readEntryCount(entrySize: 8, in: Self.type)
        entries = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            entries.append(Entry(sampleCount: try body.read(in: Self.type), sampleDelta: try body.read(in: Self.type)))
        }
    }

    /// Number of samples the table describes.
    public var sampleCount: UInt64 { entries.reduce(0) { $0 + UInt64($1.sampleCount) } }

    public var bodySize: Int { 4 + 4 + 8 * entries.count }

    public func writeBody(to writer: inout ByteWriter) {
        writer.writeVersionAndFlags(0, 0)
        writer.write(UInt32(entries.count))
        for entry in entries {
            writer.write(entry.sampleCount)
            writer.write(entry.sampleDelta)
        }
    }
}
