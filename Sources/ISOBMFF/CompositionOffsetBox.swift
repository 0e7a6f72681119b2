import MediaCore

/// `ctts`: composition time minus decoding time per sample, run-length coded. Contained in
/// `stbl`; absent when every sample is presented when it is decoded. (ISO/IEC 14496-12 8.6.1.3)
///
/// Version 0 offsets are unsigned and version 1 offsets signed. Both are read as signed
/// 32-bit values, as ffmpeg reads them, so a version 0 offset above 2^31 (never written in
/// practice) comes out negative; the bit pattern, and so a round trip, is unchanged.
public typealias CompositionOffsetBox = EntryTableBox<CompositionOffsetTable>

/// The entries of `ctts`: runs of samples whose `value` is composition minus decoding time
/// (sample_offset), in the media timescale.
public enum CompositionOffsetTable: EntryTable {
    public static let type: FourCC = "ctts"
    public static let supportedVersions: ClosedRange<UInt8> = 0...1
    public typealias Entry = SampleRunEntry<Int32>

    /// Version 1 only when an offset is negative.
    public static func version(for entries: [Entry]) -> UInt8 {
        entries.contains { $0.value < 0 } ? 1 : 0
    }
}
