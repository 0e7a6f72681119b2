/// The size pass: counts what each sample table will hold, and the facts that decide which
/// boxes and forms are needed (ctts only with non-zero offsets, stss only when some samples
/// are not sync, the constant-size stsz form, co64 for offsets past 32 bits).
struct SampleTableCounts: SampleTableSink {
    var timeToSampleEntries = 0
    var compositionEntries = 0
    var anyCompositionOffset = false
    var anyNegativeCompositionOffset = false
    var syncSamples = 0
    var samples = 0
    var firstSize: UInt32?
    var allSizesEqual = true
    var sampleToChunkEntries = 0
    var chunks = 0
    var maxChunkOffset: UInt64 = 0
    var totalBytes: UInt64 = 0
    var maxSampleSize: UInt32 = 0

    @inline(__always) mutating func timeToSample(count: UInt32, delta: UInt32) { timeToSampleEntries += 1 }

    @inline(__always) mutating func compositionOffset(count: UInt32, offset: Int32) {
        compositionEntries += 1
        if offset != 0 { anyCompositionOffset = true }
        if offset < 0 { anyNegativeCompositionOffset = true }
    }

    @inline(__always) mutating func syncSample(number: UInt32) { syncSamples += 1 }

    @inline(__always) mutating func sampleSize(_ size: UInt32) {
        samples += 1
        totalBytes += UInt64(size)
        maxSampleSize = max(maxSampleSize, size)
        if let firstSize { if size != firstSize { allSizesEqual = false } } else { firstSize = size }
    }

    @inline(__always) mutating func sampleToChunk(firstChunk: UInt32, samplesPerChunk: UInt32, descriptionIndex: UInt32) {
        sampleToChunkEntries += 1
    }

    @inline(__always) mutating func chunkOffset(_ offset: UInt64) {
        chunks += 1
        maxChunkOffset = max(maxChunkOffset, offset)
    }

    var needsCompositionOffsets: Bool { anyCompositionOffset }
    var needsSyncSamples: Bool { syncSamples != samples }
    var constantSampleSize: UInt32? { allSizesEqual ? firstSize : nil }
}
