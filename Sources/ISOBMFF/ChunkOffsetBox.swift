import MediaCore

/// `stco`: 32-bit file offsets of the chunks. Contained in `stbl`. (ISO/IEC 14496-12 8.7.5)
///
/// Used while every chunk starts below 4 GiB; `co64` otherwise.
public struct ChunkOffsetBox: Box {
    public static let type: FourCC = "stco"

    public var offsets: [UInt32]

    public init(offsets: [UInt32]) {
        self.offsets = offsets
    }

    public init(body: inout ByteReader) throws(MP4ParseError) {
        _ = try body.readVersion(in: Self.type, supported: 0...0)
        let count = try body.readEntryCount(entrySize: 4, in: Self.type)
        offsets = []
        offsets.reserveCapacity(count)
        for _ in 0..<count { offsets.append(try body.read(in: Self.type)) }
    }

    public var bodySize: Int { 4 + 4 + 4 * offsets.count }

    public func writeBody(to writer: inout ByteWriter) {
        writer.writeVersionAndFlags(0, 0)
        writer.write(UInt32(offsets.count))
        offsets.forEach { writer.write($0) }
    }
}
