import MediaCore

/// `stts`: decoding time deltas, run-length coded. Contained in `stbl`. (ISO/IEC 14496-12 8.6.1.2)
///
/// The decoding time of sample n is the sum of the deltas before it; the first sample decodes at 0.
public typealias TimeToSampleBox = EntryTableBox<TimeToSampleTable>

/// The entries of `stts`: runs of samples whose `value` is each one's duration (sample_delta),
/// in the media timescale.
public enum TimeToSampleTable: EntryTable {
    public static let type: FourCC = "stts"
    public typealias Entry = SampleRunEntry<UInt32>
}
