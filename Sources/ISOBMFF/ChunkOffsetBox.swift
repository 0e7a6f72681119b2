import MediaCore

/// `stco`: 32-bit file offsets of the chunks. Contained in `stbl`. (ISO/IEC 14496-12 8.7.5)
///
/// Used while every chunk starts below 4 GiB; `co64` otherwise.
public typealias ChunkOffsetBox = EntryTableBox<ChunkOffsetTable>

/// The entries of `stco`: a 32-bit offset per chunk.
public enum ChunkOffsetTable: EntryTable {
    public static let type: FourCC = "stco"
    public typealias Entry = UInt32
}
