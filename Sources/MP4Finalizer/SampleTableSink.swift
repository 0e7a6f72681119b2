import MediaCore

/// Receives the entries of a track's sample tables in order, as `SampleTableBuilder` derives
/// them from the staging records. Counting them (the size pass) and writing them (the write
/// pass) go through the same builder, so both passes agree by construction.
protocol SampleTableSink {
    /// `stts`: `count` consecutive samples lasting `delta` each.
    mutating func timeToSample(count: UInt32, delta: UInt32) throws(SystemError)
    /// `ctts`: `count` consecutive samples with composition offset `offset`.
    mutating func compositionOffset(count: UInt32, offset: Int32) throws(SystemError)
    /// `stss`: sample `number` (1-based) is a sync sample.
    mutating func syncSample(number: UInt32) throws(SystemError)
    /// `stsz`: the next sample's size.
    mutating func sampleSize(_ size: UInt32) throws(SystemError)
    /// `stsc`: from chunk `firstChunk` (1-based) on, chunks hold `samplesPerChunk` samples
    /// described by `descriptionIndex`.
    mutating func sampleToChunk(firstChunk: UInt32, samplesPerChunk: UInt32, descriptionIndex: UInt32) throws(SystemError)
    /// `stco`/`co64`: the next chunk starts at `offset` in .mdat (relative to the payload).
    mutating func chunkOffset(_ offset: UInt64) throws(SystemError)
}
