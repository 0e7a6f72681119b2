import MediaCore
import StagingWriter

/// Turns a track's kept staging records, in decode order, into sample-table entries
/// (ISO/IEC 14496-12 8.6-8.7), run-length coded as the boxes store them.
///
/// A chunk is a run of samples that are contiguous in .mdat and share a sample
/// description; with interleaved audio and video this follows the arrival interleaving.
/// A sample's duration is the distance to the next sample's dts; the last sample lasts as long
/// as the one before it (never 0), or `defaultLastDuration` for a one-sample track.
struct SampleTableBuilder<Sink: SampleTableSink> {
    var sink: Sink
    let defaultLastDuration: UInt32

    private(set) var sampleCount: UInt32 = 0
    // Plain fields, a count of 0 meaning "none yet": `add` runs once per sample per pass, and
    // optional tuples and a whole previous record cost a fifth of it (callgrind).
    private var previousDTS: Int64 = 0
    private var lastDelta: UInt32 = 0      // valid once sampleCount > 1
    // Run-length state.
    private var timing = RunLengthCoder<UInt32>()
    private var composition = RunLengthCoder<Int32>()
    private var chunkSamples: UInt32 = 0
    private var chunkDescription: UInt16 = 0
    private var chunkEnd: UInt64 = 0
    private var chunkCount: UInt32 = 0
    private var stscFirstChunk: UInt32 = 0  // 0: no stsc run open
    private var stscSamplesPerChunk: UInt32 = 0
    private var stscDescriptionIndex: UInt32 = 0

    init(sink: Sink, defaultLastDuration: UInt32) {
        self.sink = sink
        self.defaultLastDuration = max(1, defaultLastDuration)
    }

    mutating func add(_ record: StagingRecord) throws(SystemError) {
        if sampleCount > 0 {
            // Validation guarantees dts never goes back; equal dts gets a 0 delta, as ffmpeg's.
            let delta = UInt32(clamping: record.dts - previousDTS)
            try emitTiming(delta: delta)
            lastDelta = delta
        }
        sampleCount += 1
        if let run = composition.add(record.compositionOffset) { try sink.compositionOffset(count: run.count, offset: run.value) }
        if record.isSync { try sink.syncSample(number: sampleCount) }
        try sink.sampleSize(record.size)

        if chunkSamples > 0, record.offset == chunkEnd, record.sampleDescriptionIndex == chunkDescription {
            chunkSamples += 1
        } else {
            try closeChunk()
            chunkCount += 1
            chunkSamples = 1
            chunkDescription = record.sampleDescriptionIndex
            try sink.chunkOffset(record.offset)
        }
        chunkEnd = record.end
        previousDTS = record.dts
    }

    /// Flushes the runs still open. Call once after the last `add`.
    mutating func finish() throws(SystemError) {
        if sampleCount > 0 { try emitTiming(delta: lastSampleDuration) }
        if let run = timing.close() { try sink.timeToSample(count: run.count, delta: run.value) }
        if let run = composition.close() { try sink.compositionOffset(count: run.count, offset: run.value) }
        try closeChunk()
        if stscFirstChunk > 0 {
            try sink.sampleToChunk(firstChunk: stscFirstChunk, samplesPerChunk: stscSamplesPerChunk, descriptionIndex: stscDescriptionIndex)
        }
        stscFirstChunk = 0
    }

    /// Duration given to the last sample by `finish`.
    var lastSampleDuration: UInt32 { sampleCount > 1 ? max(1, lastDelta) : defaultLastDuration }

    private mutating func emitTiming(delta: UInt32) throws(SystemError) {
        if let run = timing.add(delta) { try sink.timeToSample(count: run.count, delta: run.value) }
    }

    private mutating func closeChunk() throws(SystemError) {
        guard chunkSamples > 0 else { return }
        let descriptionIndex = UInt32(chunkDescription)
        if stscFirstChunk > 0, stscSamplesPerChunk == chunkSamples, stscDescriptionIndex == descriptionIndex {
            // Same shape as the run: the run covers this chunk too.
        } else {
            if stscFirstChunk > 0 {
                try sink.sampleToChunk(firstChunk: stscFirstChunk, samplesPerChunk: stscSamplesPerChunk, descriptionIndex: stscDescriptionIndex)
            }
            stscFirstChunk = chunkCount
            stscSamplesPerChunk = chunkSamples
            stscDescriptionIndex = descriptionIndex
        }
        chunkSamples = 0
    }
}
