import MediaCore

/// The sample tables of one track (`stbl`, ISO/IEC 14496-12 8.5.1), decoded, with the offset
/// of each box for errors, and their expansion into one `MP4Sample` per sample.
///
/// The tables must agree: `stts`, `ctts` and the chunks of `stsc`/`stco` each describe exactly
/// the samples `stsz` counts. That is checked on totals before anything is allocated.
struct SampleTables: Sendable {
    var timeToSample: TimeToSampleBox
    var compositionOffsets: CompositionOffsetBox?
    var syncSamples: SyncSampleBox?
    var sampleSizes: SampleSizeBox
    var sampleToChunk: SampleToChunkBox
    /// From `stco` or `co64`.
    var chunkOffsets: [UInt64]
    /// File offset of each table box, for errors.
    var locations: [FourCC: Int64]

    init(stbl: BoxNode) throws(MP4ParseError) {
        var locations: [FourCC: Int64] = [:]
        func required<B: Box>(_: B.Type) throws(MP4ParseError) -> B {
            let node = try stbl.requiredChild(B.type)
            locations[B.type] = node.offset
            return try node.decode(B.self)
        }
        func optional<B: Box>(_: B.Type) throws(MP4ParseError) -> B? {
            guard let node = stbl.child(B.type) else { return nil }
            locations[B.type] = node.offset
            return try node.decode(B.self)
        }
        timeToSample = try required(TimeToSampleBox.self)
        compositionOffsets = try optional(CompositionOffsetBox.self)
        syncSamples = try optional(SyncSampleBox.self)
        sampleSizes = try required(SampleSizeBox.self)
        sampleToChunk = try required(SampleToChunkBox.self)
        if let stco = try optional(ChunkOffsetBox.self) {
            chunkOffsets = stco.entries.map(UInt64.init)
        } else if let co64 = try optional(ChunkLargeOffsetBox.self) {
            chunkOffsets = co64.entries
        } else {
            throw .missingBox(ChunkOffsetBox.type, parent: "stbl", at: stbl.offset)
        }
        self.locations = locations
    }

    private func location(_ type: FourCC) -> Int64 { locations[type] ?? 0 }

    /// Checks that the tables agree and expands them.
    func expand(descriptionCount: Int, fileSize: Int64) throws(MP4ParseError) -> [MP4Sample] {
        let count = sampleSizes.sampleCount
        let stsz = SampleSizeBox.type
        guard count <= MP4Track.maxSampleCount else {
            throw .exceedsLimit(stsz, value: UInt64(count), limit: UInt64(MP4Track.maxSampleCount), at: location(stsz))
        }
        if case let .constant(size, _) = sampleSizes.sizes, UInt64(size) * UInt64(count) > UInt64(fileSize) {
            throw .invalidValue(stsz, reason: "\(count) samples of \(size) bytes are more than the file holds",
                                at: location(stsz))
        }
        guard timeToSample.sampleCount == UInt64(count) else {
            throw .invalidValue(TimeToSampleBox.type, reason: "describes \(timeToSample.sampleCount) samples, stsz has \(count)",
                                at: location(TimeToSampleBox.type))
        }
        if let compositionOffsets, compositionOffsets.sampleCount != UInt64(count) {
            throw .invalidValue(CompositionOffsetBox.type,
                                reason: "describes \(compositionOffsets.sampleCount) samples, stsz has \(count)",
                                at: location(CompositionOffsetBox.type))
        }
        var previousSync: UInt32 = 0
        for number in syncSamples?.entries ?? [] {
            guard number > previousSync, number <= count else {
                throw .invalidValue(SyncSampleBox.type,
                                    reason: "sample number \(number) is out of order or beyond the \(count) samples",
                                    at: location(SyncSampleBox.type))
            }
            previousSync = number
        }
        let runs = try chunkRuns(sampleCount: count, descriptionCount: descriptionCount)

        var samples: [MP4Sample] = []
        samples.reserveCapacity(count)
        var stts = timeToSample.entries.makeIterator()
        var sttsEntry = TimeToSampleBox.Entry(sampleCount: 0, value: 0)
        var ctts = (compositionOffsets?.entries ?? []).makeIterator()
        var cttsEntry = CompositionOffsetBox.Entry(sampleCount: 0, value: 0)
        let syncNumbers = syncSamples?.entries
        var nextSync = 0
        var dts: Int64 = 0
        for run in runs {
            for chunk in run.chunks {
                var offset = chunkOffsets[chunk]
                for _ in 0..<run.samplesPerChunk {
                    let index = samples.count
                    let size = sampleSizes.size(at: index)
                    guard offset <= UInt64(fileSize), UInt64(size) <= UInt64(fileSize) - offset else {
                        throw .sampleOutsideFile(offset: Int64(clamping: offset), size: UInt64(size), fileSize: fileSize)
                    }
                    // The totals agree, so neither table runs out before the samples do.
                    while sttsEntry.sampleCount == 0, let next = stts.next() { sttsEntry = next }
                    sttsEntry.sampleCount -= 1
                    var compositionOffset: Int32 = 0
                    if compositionOffsets != nil {
                        while cttsEntry.sampleCount == 0, let next = ctts.next() { cttsEntry = next }
                        cttsEntry.sampleCount -= 1
                        compositionOffset = cttsEntry.value
                    }
                    var isSync = true
                    if let syncNumbers {
                        isSync = nextSync < syncNumbers.count && Int(syncNumbers[nextSync]) == index + 1
                        if isSync { nextSync += 1 }
                    }
                    samples.append(MP4Sample(offset: Int64(offset), size: size, dts: dts, duration: sttsEntry.value,
                                             compositionOffset: compositionOffset, isSync: isSync,
                                             sampleDescriptionIndex: run.sampleDescriptionIndex))
                    dts += Int64(sttsEntry.value)
                    offset += UInt64(size)
                }
            }
        }
        return samples
    }

    /// A run of chunks with the same layout, from one `stsc` entry.
    struct ChunkRun {
        /// 0-based chunk indexes.
        var chunks: Range<Int>
        var samplesPerChunk: UInt32
        var sampleDescriptionIndex: UInt16
    }

    /// The `stsc` runs over the chunks of `stco`, checked: the first starts at chunk 1, they
    /// increase, stay within the chunks, name an existing description, and hold exactly
    /// `sampleCount` samples.
    private func chunkRuns(sampleCount: Int, descriptionCount: Int) throws(MP4ParseError) -> [ChunkRun] {
        let stsc = SampleToChunkBox.type
        let entries = sampleToChunk.entries
        let chunkCount = chunkOffsets.count
        var runs: [ChunkRun] = []
        var total: UInt64 = 0
        for (i, entry) in entries.enumerated() {
            let first = Int(entry.firstChunk)
            let end = i + 1 < entries.count ? Int(entries[i + 1].firstChunk) : chunkCount + 1
            guard first >= 1, first == 1 || i > 0, first < end, first <= chunkCount, end <= chunkCount + 1 else {
                throw .invalidValue(stsc, reason: "entry \(i + 1): first chunk \(first) is out of order or beyond the \(chunkCount) chunks",
                                    at: location(stsc))
            }
            guard (1...descriptionCount).contains(Int(entry.sampleDescriptionIndex)) else {
                throw .invalidValue(stsc, reason: "entry \(i + 1): sample description \(entry.sampleDescriptionIndex) of \(descriptionCount)",
                                    at: location(stsc))
            }
            let (samples, overflow) = UInt64(end - first).multipliedReportingOverflow(by: UInt64(entry.samplesPerChunk))
            total += overflow ? UInt64(Int64.max) : samples  // total stays <= sampleCount before this
            guard total <= UInt64(sampleCount) else { break }
            runs.append(ChunkRun(chunks: (first - 1)..<(end - 1), samplesPerChunk: entry.samplesPerChunk,
                                 sampleDescriptionIndex: UInt16(entry.sampleDescriptionIndex)))
        }
        guard total == UInt64(sampleCount) else {
            throw .invalidValue(stsc, reason: "the \(chunkCount) chunks hold \(total) samples, stsz has \(sampleCount)",
                                at: location(stsc))
        }
        return runs
    }
}
