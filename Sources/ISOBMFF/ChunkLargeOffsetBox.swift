import MediaCore

/// `co64`: 64-bit file offsets of the chunks. Contained in `stbl`, in place of `stco` when a
/// chunk starts at or beyond 4 GiB. (ISO/IEC 14496-12 8.7.5)
public typealias ChunkLargeOffsetBox = EntryTableBox<ChunkLargeOffsetTable>

/// The entries of `co64`: a 64-bit offset per chunk.
public enum ChunkLargeOffsetTable: EntryTable {
    public static let type: FourCC = "co64"
    public typealias Entry = UInt64
}
