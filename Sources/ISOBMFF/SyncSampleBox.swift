import MediaCore

/// `stss`: the samples a decoder can start at (keyframes). Contained in `stbl`; absent when
/// every sample is a sync sample. (ISO/IEC 14496-12 8.6.2)
public typealias SyncSampleBox = EntryTableBox<SyncSampleTable>

/// The entries of `stss`: 1-based sample numbers, strictly increasing.
public enum SyncSampleTable: EntryTable {
    public static let type: FourCC = "stss"
    public typealias Entry = UInt32
}
