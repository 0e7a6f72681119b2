import MediaCore

/// `ctts`: composition time minus decoding time per sample, run-length coded. Contained in
/// `stbl`; absent when every sample is presented when it is decoded. (ISO/IEC 14496-12 8.6.1.3)
///
/// Version 0 offsets are unsigned and version 1 offsets signed. Both are read as signed
/// 32-bit values, as ffmpeg reads them, so a version 0 offset above 2^31 (never written in
/// practice) comes out negative; the bit pattern, and so a round trip, is unchanged.
public struct CompositionOffsetBox: Box {
    public static let type: FourCC = "ctts"

    public struct Entry: Sendable, Equatable {
        public var sampleCount: UInt32
        /// Composition time minus decoding time, in the media timescale.
        public var sampleOffset: Int32

        public init(sampleCount: UInt32, sampleOffset: Int32) {
            self.sampleCount = sampleCount
            self.sampleOffset = sampleOffset
        }
    }

    public var version: UInt8
    public var entries: [Entry]

    /// A table for new entries: version 1 only when an offset is negative.
    public init(entries: [Entry]) {
        self.init(version: entries.contains { $0.sampleOffset < 0 } ? 1 : 0, entries: entries)
    }

    public init(version: UInt8, entries: [Entry]) {
        self.version = version
        self.entries = entries
    }

    public init(body: inout ByteReader) throws(MP4ParseError) {
        version = try body.readVersion(in: Self.type, supported: 0...1).version
        let count = try body.readEntryCount(entrySize: 8, in: Self.type)
        entries = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            entries.append(Entry(sampleCount: try body.read(in: Self.type), sampleOffset: try body.read(in: Self.type)))
        }
    }

    public var sampleCount: UInt64 { entries.reduce(0) { $0 + UInt64($1.sampleCount) } }

    public var bodySize: Int { 4 + 4 + 8 * entries.count }

    public func writeBody(to writer: inout ByteWriter) {
        writer.writeVersionAndFlags(version, 0)
        writer.write(UInt32(entries.count))
        for entry in entries {
            writer.write(entry.sampleCount)
            writer.write(entry.sampleOffset)
        }
    }
}
