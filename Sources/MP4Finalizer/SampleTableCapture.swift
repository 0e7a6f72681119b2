import MediaCore

/// The size pass, and the tables themselves while they fit in a budget: every entry kept in
/// memory as a native integer, so that the header is assembled from memory and the track file
/// is read once (validation, counting and the tables in one pass). A set whose tables pass the
/// budget (a recording of many hours) drops them and is written by the streaming pass
/// (`SampleTableWriter`), which reads the track file again and holds nothing.
struct SampleTableCapture: SampleTableSink {
    var counts = SampleTableCounts()
    /// nil once the budget ran out (or when it was 0).
    var tables: SampleTables? {
        guard keeping else { return nil }
        var tables = held
        if leadingSyncSamples > 0 && counts.needsSyncSamples {
            // The leading sync samples were only counted; with every sample a sync sample
            // there is no `stss` to write, and no entries to make.
            tables.syncSamples = Array(1...UInt32(leadingSyncSamples))
        }
        return tables
    }
    /// The entries while `keeping`: plain storage rather than an optional, whose every
    /// mutation per sample cost a check and, through the optional, a uniqueness test.
    private var held = SampleTables()
    private var keeping = false
    /// Sync samples 1...n while every sample so far has been one (audio: all of them), kept
    /// as a count: `stss` is written only once some sample is not a sync sample (8.6.2), and
    /// then its entries are made from the count.
    private var leadingSyncSamples = 0
    private let budget: Int
    /// Bytes the entries take in memory so far (what the budget counts), summed as they come.
    private var used = 0

    /// `expectedSamples`: the track file's unit count, an upper bound on its samples, so that
    /// the per-sample tables grow once instead of doubling as they fill.
    init(budget: Int, expectedSamples: Int = 0) {
        self.budget = budget
        guard budget > 0 else { return }
        keeping = true
        let reserve = min(expectedSamples, budget / 12)
        held.sampleSizes.reserveCapacity(reserve)
        held.chunkOffsets.reserveCapacity(reserve)
    }

    @inline(__always)
    mutating func timeToSample(count: UInt32, delta: UInt32) {
        counts.timeToSample(count: count, delta: delta)
        if keeping { held.timeToSample.append((count, delta)) }
        used += 8
        checkBudget()
    }

    @inline(__always)
    mutating func compositionOffset(count: UInt32, offset: Int32) {
        counts.compositionOffset(count: count, offset: offset)
        if keeping { held.compositionOffsets.append((count, offset)) }
        used += 8
        checkBudget()
    }

    @inline(__always)
    mutating func syncSample(number: UInt32) {
        counts.syncSample(number: number)
        if keeping {
            if leadingSyncSamples == Int(number) - 1 && held.syncSamples.isEmpty {
                leadingSyncSamples += 1
            } else {
                if leadingSyncSamples > 0 {
                    held.syncSamples = Array(1...UInt32(leadingSyncSamples))
                    leadingSyncSamples = 0
                }
                held.syncSamples.append(number)
            }
        }
        used += 4
    }

    @inline(__always)
    mutating func sampleSize(_ size: UInt32) {
        counts.sampleSize(size)
        if keeping { held.sampleSizes.append(size) }
        used += 4
        // Checked once per sample: every other table grows at most once per sample too.
        checkBudget()
    }

    @inline(__always)
    mutating func sampleToChunk(firstChunk: UInt32, samplesPerChunk: UInt32, descriptionIndex: UInt32) {
        counts.sampleToChunk(firstChunk: firstChunk, samplesPerChunk: samplesPerChunk, descriptionIndex: descriptionIndex)
        if keeping { held.sampleToChunk.append((firstChunk, samplesPerChunk, descriptionIndex)) }
        used += 12
    }

    @inline(__always)
    mutating func chunkOffset(_ offset: UInt64) {
        counts.chunkOffset(offset)
        if keeping { held.chunkOffsets.append(offset) }
        used += 8
    }

    @inline(__always)
    private mutating func checkBudget() {
        if used > budget && keeping {
            keeping = false
            held = SampleTables()
            leadingSyncSamples = 0
        }
    }
}

/// A track's sample-table entries in decode order (ISO/IEC 14496-12 8.6-8.7), before they are
/// encoded: chunk offsets are still relative to the payload, since where the payload starts
/// (and whether `co64` is needed) is known only once every table's size is.
struct SampleTables {
    var timeToSample: [(count: UInt32, delta: UInt32)] = []
    var compositionOffsets: [(count: UInt32, offset: Int32)] = []
    var syncSamples: [UInt32] = []
    var sampleSizes: [UInt32] = []
    var sampleToChunk: [(firstChunk: UInt32, samplesPerChunk: UInt32, descriptionIndex: UInt32)] = []
    var chunkOffsets: [UInt64] = []

    /// Bytes the entries of `kind` take encoded in their box.
    func byteCount(_ kind: TableID.Kind, useCO64: Bool) -> Int {
        switch kind {
        case .stts: return 8 * timeToSample.count
        case .ctts: return 8 * compositionOffsets.count
        case .stss: return 4 * syncSamples.count
        case .stsz: return 4 * sampleSizes.count
        case .stsc: return 12 * sampleToChunk.count
        case .chunkOffsets: return (useCO64 ? 8 : 4) * chunkOffsets.count
        }
    }

    /// Encodes the entries of `kind` big-endian at `offset` of `header`, as the table's body
    /// after its counts; returns the bytes written. `payloadStart` turns chunk offsets into
    /// file offsets.
    func encode(_ kind: TableID.Kind, into header: UnsafeMutableRawBufferPointer, at offset: Int,
                payloadStart: UInt64, useCO64: Bool) -> Int {
        var at = offset
        @inline(__always) func put<T: FixedWidthInteger>(_ value: T) {
            header.storeBytes(of: value.bigEndian, toByteOffset: at, as: T.self)
            at += MemoryLayout<T>.size
        }
        switch kind {
        case .stts: for entry in timeToSample { put(entry.count); put(entry.delta) }
        case .ctts: for entry in compositionOffsets { put(entry.count); put(UInt32(bitPattern: entry.offset)) }
        case .stss: for number in syncSamples { put(number) }
        case .stsz: for size in sampleSizes { put(size) }
        case .stsc: for entry in sampleToChunk { put(entry.firstChunk); put(entry.samplesPerChunk); put(entry.descriptionIndex) }
        case .chunkOffsets:
            if useCO64 {
                for chunk in chunkOffsets { put(payloadStart + chunk) }
            } else {
                for chunk in chunkOffsets { put(UInt32(payloadStart + chunk)) }
            }
        }
        return at - offset
    }
}
