import MediaCore

/// `co64`: 64-bit file offsets of the chunks. Contained in `stbl`, in place of `stco` when a
/// chunk starts at or beyond 4 GiB. (ISO/IEC 14496-12 8.7.5)
public struct ChunkLargeOffsetBox: Box {
    public static let type: FourCC = "co64"

    public var offsets: [UInt64]

    public init(offsets: [UInt64]) {
        self.offsets = offsets
    }

    public init(body: inout ByteReader) throws(MP4ParseError) {
        _ = try body.readVersion(in: Self.type, supported: 0...0)
        let count = try body.readEntryCount(entrySize: 8, in: Self.type)
        offsets = []
        offsets.reserveCapacity(count)
        for _ in 0..<count { offsets.append(try body.read(in: Self.type)) }
    }

    public var bodySize: Int { 4 + 4 + 8 * offsets.count }

    public func writeBody(to writer: inout ByteWriter) {
        writer.writeVersionAndFlags(0, 0)
        writer.write(UInt32(offsets.count))
        offsets.forEach { writer.write($0) }
    }
}
