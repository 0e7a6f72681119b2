import MediaCore

/// `stsd`: the sample descriptions (codec and its configuration) of a track. Contained in
/// `stbl`. (ISO/IEC 14496-12 8.5.2)
///
/// A track has several when the stream changes mid-way (a new SPS with another resolution);
/// `stsc` says which description each chunk uses.
public struct SampleDescriptionBox: Box {
    public static let type: FourCC = "stsd"

    public var entries: [SampleEntry]

    public init(entries: [SampleEntry]) {
        self.entries = entries
    }

    public init(body: inout ByteReader) throws(MP4ParseError) {
        _ = try body.readVersion(in: Self.type, supported: 0...0)
        let count = try body.readEntryCount(entrySize: 8, in: Self.type)  // every entry has a box header
        entries = []
        for _ in 0..<count { entries.append(try SampleEntry(parsing: &body)) }
    }

    public var bodySize: Int { 4 + 4 + entries.reduce(0) { $0 + Int($1.size) } }

    public func writeBody(to writer: inout ByteWriter) {
        writer.writeVersionAndFlags(0, 0)
        writer.write(UInt32(entries.count))
        entries.forEach { $0.write(to: &writer) }
    }
}
