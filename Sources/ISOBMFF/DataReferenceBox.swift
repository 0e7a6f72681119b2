import MediaCore

/// `dref`: where the media data is. Contained in `dinf`. (ISO/IEC 14496-12 8.7.2)
///
/// Our files hold their media themselves: one `url ` entry with flag 1 ("in this file").
public struct DataReferenceBox: Box {
    public static let type: FourCC = "dref"

    /// The `url ` / `urn ` entries, kept as boxes.
    public var entries: [RawBox]

    /// One self-contained `url ` entry: version 0, flags 1, no location.
    public static let selfContained = DataReferenceBox(entries: [RawBox(type: "url ", body: [0, 0, 0, 1])])

    public init(entries: [RawBox]) {
        self.entries = entries
    }

    public init(body: inout ByteReader) throws(MP4ParseError) {
        _ = try body.readVersion(in: Self.type, supported: 0...0)
        let count = try body.readEntryCount(entrySize: 8, in: Self.type)
        entries = []
        for _ in 0..<count { entries.append(try RawBox(parsing: &body, parent: Self.type)) }
    }

    public var bodySize: Int { 4 + 4 + entries.reduce(0) { $0 + Int($1.size) } }

    public func writeBody(to writer: inout ByteWriter) {
        writer.writeVersionAndFlags(0, 0)
        writer.write(UInt32(entries.count))
        entries.forEach { $0.write(to: &writer) }
    }
}
