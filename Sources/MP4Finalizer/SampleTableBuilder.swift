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
    private var previous: StagingRecord?
    private var lastDelta: UInt32?
    // Run-length state.
    private var sttsRun: (count: UInt32, delta: UInt32)?
    private var cttsRun: (count: UInt32, offset: Int32)?
    private var chunkSamples: UInt32 = 0
    private var chunkDescription: UInt16 = 0
    private var chunkEnd: UInt64 = 0
    private var chunkCount: UInt32 = 0
    private var stscRun: (firstChunk: UInt32, samplesPerChunk: UInt32, descriptionIndex: UInt32)?

    init(sink: Sink, defaultLastDuration: UInt32) {
        self.sink = sink
        self.defaultLastDuration = max(1, defaultLastDuration)
    }

    mutating func add(_ record: StagingRecord) throws(SystemError) {
        if let previous {
            // Validation guarantees dts never goes back; equal dts gets a 0 delta, as ffmpeg's.
            let delta = UInt32(clamping: record.dts - previous.dts)
            try emitTiming(delta: delta)
            lastDelta = delta
        }
        sampleCount += 1
        try emitComposition(record.compositionOffset)
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
        previous = record
    }

    /// Flushes the runs still open. Call once after the last `add`.
    mutating func finish() throws(SystemError) {
        if previous != nil { try emitTiming(delta: lastDelta.map { max(1, $0) } ?? defaultLastDuration) }
        if let run = sttsRun { try sink.timeToSample(count: run.count, delta: run.delta) }
        if let run = cttsRun { try sink.compositionOffset(count: run.count, offset: run.offset) }
        try closeChunk()
        if let run = stscRun {
            try sink.sampleToChunk(firstChunk: run.firstChunk, samplesPerChunk: run.samplesPerChunk, descriptionIndex: run.descriptionIndex)
        }
        sttsRun = nil
        cttsRun = nil
        stscRun = nil
    }

    /// Duration given to the last sample by `finish`.
    var lastSampleDuration: UInt32 { lastDelta.map { max(1, $0) } ?? defaultLastDuration }

    private mutating func emitTiming(delta: UInt32) throws(SystemError) {
        if let run = sttsRun, run.delta == delta {
            sttsRun = (run.count + 1, delta)
        } else {
            if let run = sttsRun { try sink.timeToSample(count: run.count, delta: run.delta) }
            sttsRun = (1, delta)
        }
    }

    private mutating func emitComposition(_ offset: Int32) throws(SystemError) {
        if let run = cttsRun, run.offset == offset {
            cttsRun = (run.count + 1, offset)
        } else {
            if let run = cttsRun { try sink.compositionOffset(count: run.count, offset: run.offset) }
            cttsRun = (1, offset)
        }
    }

    private mutating func closeChunk() throws(SystemError) {
        guard chunkSamples > 0 else { return }
        let entry = (firstChunk: chunkCount, samplesPerChunk: chunkSamples, descriptionIndex: UInt32(chunkDescription))
        if let run = stscRun, run.samplesPerChunk == entry.samplesPerChunk, run.descriptionIndex == entry.descriptionIndex {
            // Same shape as the run: the run covers this chunk too.
        } else {
            if let run = stscRun {
                try sink.sampleToChunk(firstChunk: run.firstChunk, samplesPerChunk: run.samplesPerChunk, descriptionIndex: run.descriptionIndex)
            }
            stscRun = entry
        }
        chunkSamples = 0
    }
}
