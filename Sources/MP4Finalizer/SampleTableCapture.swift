import MediaCore

/// The size pass, and the tables themselves while they fit in a budget: every entry kept in
/// memory as a native integer, so that the header is assembled from memory and the track file
/// is read once (validation, counting and the tables in one pass). A set whose tables pass the
/// budget (a recording of many hours) drops them and is written by the streaming pass
/// (`SampleTableWriter`), which reads the track file again and holds nothing.
struct SampleTableCapture: SampleTableSink {
    var counts = SampleTableCounts()
    /// nil once the budget ran out (or when it was 0).
    private(set) var tables: SampleTables?
    private let budget: Int
    /// Bytes the entries take in memory so far (what the budget counts), summed as they come:
    /// reading the optional struct per sample would retain and release every array.
    private var used = 0

    /// `expectedSamples`: the track file's unit count, an upper bound on its samples, so that
    /// the per-sample tables grow once instead of doubling as they fill.
    init(budget: Int, expectedSamples: Int = 0) {
        self.budget = budget
        guard budget > 0 else { return }
        var tables = SampleTables()
        let reserve = min(expectedSamples, budget / 12)
        tables.sampleSizes.reserveCapacity(reserve)
        tables.chunkOffsets.reserveCapacity(reserve)
        self.tables = tables
    }

    mutating func timeToSample(count: UInt32, delta: UInt32) {
        counts.timeToSample(count: count, delta: delta)
        tables?.timeToSample.append((count, delta))
        used += 8
        checkBudget()
    }

    mutating func compositionOffset(count: UInt32, offset: Int32) {
        counts.compositionOffset(count: count, offset: offset)
        tables?.compositionOffsets.append((count, offset))
        used += 8
        checkBudget()
    }

    mutating func syncSample(number: UInt32) {
        counts.syncSample(number: number)
        tables?.syncSamples.append(number)
        used += 4
    }

    mutating func sampleSize(_ size: UInt32) {
        counts.sampleSize(size)
        tables?.sampleSizes.append(size)
        used += 4
        // Checked once per sample: every other table grows at most once per sample too.
        checkBudget()
    }

    mutating func sampleToChunk(firstChunk: UInt32, samplesPerChunk: UInt32, descriptionIndex: UInt32) {
        counts.sampleToChunk(firstChunk: firstChunk, samplesPerChunk: samplesPerChunk, descriptionIndex: descriptionIndex)
        tables?.sampleToChunk.append((firstChunk, samplesPerChunk, descriptionIndex))
        used += 12
    }

    mutating func chunkOffset(_ offset: UInt64) {
        counts.chunkOffset(offset)
        tables?.chunkOffsets.append(offset)
        used += 8
    }

    @inline(__always)
    private mutating func checkBudget() {
        if used > budget && tables != nil { tables = nil }
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
