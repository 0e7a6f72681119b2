import MediaCore

/// The write pass: streams each table's entries into its place in the output file, all
/// tables of a track side by side, so the records are read once more and nothing grows with
/// the recording's length.
struct SampleTableWriter: SampleTableSink {
    var stts: BufferedFileWriter
    var ctts: BufferedFileWriter?
    var stss: BufferedFileWriter?
    var stsz: BufferedFileWriter?
    var stsc: BufferedFileWriter
    var chunkOffsets: BufferedFileWriter
    /// Where the mdat payload starts in the output: .mdat offset 0 lands here.
    let payloadStart: UInt64
    let useCO64: Bool

    mutating func timeToSample(count: UInt32, delta: UInt32) throws(SystemError) {
        try stts.write(count)
        try stts.write(delta)
    }

    mutating func compositionOffset(count: UInt32, offset: Int32) throws(SystemError) {
        try ctts?.write(count)
        try ctts?.write(UInt32(bitPattern: offset))
    }

    mutating func syncSample(number: UInt32) throws(SystemError) {
        try stss?.write(number)
    }

    mutating func sampleSize(_ size: UInt32) throws(SystemError) {
        try stsz?.write(size)
    }

    mutating func sampleToChunk(firstChunk: UInt32, samplesPerChunk: UInt32, descriptionIndex: UInt32) throws(SystemError) {
        try stsc.write(firstChunk)
        try stsc.write(samplesPerChunk)
        try stsc.write(descriptionIndex)
    }

    mutating func chunkOffset(_ offset: UInt64) throws(SystemError) {
        let absolute = payloadStart + offset
        if useCO64 { try chunkOffsets.write(absolute) } else { try chunkOffsets.write(UInt32(absolute)) }
    }

    mutating func flush() throws(SystemError) {
        try stts.flush()
        try ctts?.flush()
        try stss?.flush()
        try stsz?.flush()
        try stsc.flush()
        try chunkOffsets.flush()
    }

    /// Bytes each writer wrote, to check against the plan.
    var written: [TableID.Kind: Int64] {
        var result: [TableID.Kind: Int64] = [.stts: stts.bytesWritten, .stsc: stsc.bytesWritten, .chunkOffsets: chunkOffsets.bytesWritten]
        if let ctts { result[.ctts] = ctts.bytesWritten }
        if let stss { result[.stss] = stss.bytesWritten }
        if let stsz { result[.stsz] = stsz.bytesWritten }
        return result
    }
}
