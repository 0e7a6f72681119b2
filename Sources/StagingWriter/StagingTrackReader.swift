import MediaCore

/// Reads a track file unit by unit, in order, without loading it whole: memory stays flat
/// however long the recording. It reports what it finds and judges only the bytes of the
/// track file itself (record checksums, torn tail); checks that need .mdat are the set's.
public struct StagingTrackReader: Sendable {
    /// What one unit of a track file turned out to be.
    public enum Unit: Sendable {
        case sample(index: Int, record: StagingRecord)
        case description(index: Int, sampleDescriptionIndex: UInt16, SampleDescription)
        /// A unit whose checksum failed or whose content makes no sense; reading resumes at
        /// the next unit boundary.
        case damaged(index: Int, reason: String)
    }

    public let path: String
    public let header: StagingTrackHeader
    public let fileSize: Int64
    private let file: FileDescriptor

    /// Bytes read per system call while scanning. Small enough that the buffer comes from the
    /// heap and is reused across tracks: a 1 MiB buffer was a fresh mapping per track, zeroed
    /// and faulted in page by page, a fifth of a finalize's CPU (perf); more system calls of
    /// 64 KiB cost far less than that.
    static let chunkSize = 64 << 10

    public init(path: String) throws(StagingError) {
        self.path = path
        do {
            file = try FileDescriptor.open(path, .readOnly)
        } catch {
            throw error.isNotFound ? .missing(path) : .system(error)
        }
        do {
            fileSize = try file.size()
            let head = try file.read(count: StagingFormat.trackHeaderSize, fromAbsoluteOffset: 0)
            header = try StagingTrackHeader(decoding: head, path: path)
        } catch let e as StagingError {
            try? file.close()
            throw e
        } catch {
            try? file.close()
            throw .system(error as! SystemError)
        }
    }

    public func close() { try? file.close() }

    /// Units after the header, counting a trailing partial unit as one.
    public var unitCount: Int {
        let body = max(0, fileSize - Int64(StagingFormat.trackHeaderSize))
        return Int((body + Int64(StagingFormat.unitSize) - 1) / Int64(StagingFormat.unitSize))
    }

    /// Bytes at the end that do not make a whole unit (a write torn by a crash).
    public var tornTailBytes: Int {
        Int(max(0, fileSize - Int64(StagingFormat.trackHeaderSize)) % Int64(StagingFormat.unitSize))
    }

    /// Calls `body` for each whole unit in file order. A description occupies its head unit
    /// plus the units of its body; `index` is the head unit's position after the header.
    /// `verifyingRecords: false` trusts the record checksums (a pass after a validation that
    /// found every unit intact); description bodies are always checked.
    public func scan(verifyingRecords: Bool = true, _ body: (Unit) throws -> Void) throws {
        let unit = StagingFormat.unitSize
        let wholeUnits = Int((fileSize - Int64(StagingFormat.trackHeaderSize)) / Int64(unit))
        guard wholeUnits > 0 else { return }
        // Not zeroed: only the units a read filled (`bufferUnits`) are ever decoded.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize - Self.chunkSize % unit,
                                                            alignment: MemoryLayout<UInt64>.alignment)
        defer { buffer.deallocate() }
        var bufferStartUnit = 0      // unit index of buffer[0]
        var bufferUnits = 0          // whole units currently in buffer
        var index = 0
        // Units before this one are known intact (`StagingRecord.intactUnits`): their records
        // are decoded without checking each checksum again.
        var intactEnd = 0

        func load(from first: Int) throws {
            let offset = Int64(StagingFormat.trackHeaderSize) + Int64(first) * Int64(unit)
            let n = try file.read(into: buffer, fromAbsoluteOffset: offset)
            bufferStartUnit = first
            bufferUnits = min(n / unit, wholeUnits - first)
        }

        while index < wholeUnits {
            if index < bufferStartUnit || index >= bufferStartUnit + bufferUnits { try load(from: index) }
            let local = index - bufferStartUnit
            if verifyingRecords && index >= intactEnd {
                intactEnd = index + StagingRecord.intactUnits(UnsafeRawBufferPointer(buffer), at: local * unit, count: bufferUnits - local)
            }
            let record = StagingRecord.decode(UnsafeRawBufferPointer(buffer), at: local * unit, verify: verifyingRecords && index >= intactEnd)
            guard let record else {
                try body(.damaged(index: index, reason: "record checksum mismatch"))
                index += 1
                continue
            }
            switch record.tag {
            case StagingFormat.sampleTag:
                try body(.sample(index: index, record: record))
                index += 1
            case StagingFormat.descriptionTag:
                let length = Int(record.size)
                let bodyUnits = (length + unit - 1) / unit
                guard length <= StagingFormat.maxDescriptionSize, index + 1 + bodyUnits <= wholeUnits else {
                    try body(.damaged(index: index, reason: "sample description extends past the end of the file"))
                    index += 1
                    continue
                }
                let offset = Int64(StagingFormat.trackHeaderSize) + Int64(index + 1) * Int64(unit)
                let bytes = try file.read(count: length, fromAbsoluteOffset: offset)
                guard bytes.count == length, CRC32C.checksum(bytes) == record.payloadCRC else {
                    try body(.damaged(index: index, reason: "sample description checksum mismatch"))
                    index += 1
                    continue
                }
                var reader = ByteReader(bytes)
                let description = try SampleDescription(stagingDecoding: &reader, path: path)
                try body(.description(index: index, sampleDescriptionIndex: record.sampleDescriptionIndex, description))
                index += 1 + bodyUnits
            default:
                try body(.damaged(index: index, reason: "unknown unit tag"))
                index += 1
            }
        }
    }
}
