import MediaCore

/// A file that exists only as a list of parts: bytes held in memory (an export's `ftyp` and
/// `moov`, an `mdat` header) and ranges of files on disk (the samples of the chunks). It has
/// a size and can be read at any offset, so it can be served with byte ranges or written out,
/// without ever being assembled in memory or on disk.
public struct SplicedFile: Sendable {
    public enum Part: Sendable, Equatable {
        case bytes([UInt8])
        /// `count` bytes of the file at `path` from `offset`.
        case fileRange(path: String, offset: Int64, count: Int64)

        public var count: Int64 {
            switch self {
            case .bytes(let bytes): return Int64(bytes.count)
            case .fileRange(_, _, let count): return count
            }
        }
    }

    /// Bytes read from disk and handed over at a time: large enough that a disk streams at
    /// full speed, small enough to keep the memory of a few dozen clients low.
    public static let blockSize = 1 << 20

    public let parts: [Part]
    /// Offset of each part in the file.
    private let starts: [Int64]
    public let size: Int64

    public init(parts: [Part]) {
        var starts: [Int64] = []
        starts.reserveCapacity(parts.count)
        var offset: Int64 = 0
        for part in parts {
            starts.append(offset)
            offset += part.count
        }
        self.parts = parts
        self.starts = starts
        size = offset
    }

    /// A whole file on disk.
    public static func file(_ path: String) throws(SystemError) -> SplicedFile {
        let descriptor = try FileDescriptor.open(path, .readOnly)
        defer { try? descriptor.close() }
        return SplicedFile(parts: [.fileRange(path: path, offset: 0, count: try descriptor.size())])
    }

    /// Hands the bytes of `range` to `consume` in order, in blocks of at most `blockSize`.
    /// A file that is shorter than planned (cut by someone else) ends with `SystemError`
    /// naming it, rather than with silently missing bytes.
    public func read<E: Error>(_ range: Range<Int64>, consume: (UnsafeRawBufferPointer) throws(E) -> Void) throws(SplicedFileError<E>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= size, "range \(range) outside 0..<\(size)")
        guard !range.isEmpty else { return }
        var index = Self.partIndex(containing: range.lowerBound, starts: starts)
        var position = range.lowerBound
        var buffer: [UInt8] = []
        var openFile: FileDescriptor?
        defer { try? openFile?.close() }
        while position < range.upperBound {
            let part = parts[index]
            let inPart = position - starts[index]
            let take = min(part.count - inPart, range.upperBound - position)
            switch part {
            case .bytes(let bytes):
                let result = bytes.withUnsafeBytes { raw in
                    Result { () throws(E) in try consume(UnsafeRawBufferPointer(rebasing: raw[Int(inPart)..<Int(inPart + take)])) }
                }
                if case .failure(let error) = result { throw .consumer(error) }
            case .fileRange(let path, let offset, _):
                if openFile?.path != path {
                    try? openFile?.close()
                    openFile = nil
                    do { openFile = try FileDescriptor.open(path, .readOnly) } catch { throw .source(error) }
                }
                if buffer.isEmpty { buffer = [UInt8](repeating: 0, count: Self.blockSize) }
                var done: Int64 = 0
                while done < take {
                    let want = Int(min(Int64(Self.blockSize), take - done))
                    let file = openFile!
                    let position = offset + inPart + done
                    let readResult = buffer.withUnsafeMutableBytes { raw in
                        Result { () throws(SystemError) in
                            try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[..<want]), fromAbsoluteOffset: position)
                        }
                    }
                    let n: Int
                    switch readResult {
                    case .success(let count): n = count
                    case .failure(let error): throw .source(error)
                    }
                    guard n == want else { throw .fileShrank(path: path, expectedEnd: position + Int64(want)) }
                    let consumed = buffer.withUnsafeBytes { raw in
                        Result { () throws(E) in try consume(UnsafeRawBufferPointer(rebasing: raw[..<n])) }
                    }
                    if case .failure(let error) = consumed { throw .consumer(error) }
                    done += Int64(n)
                }
            }
            position += take
            index += 1
        }
    }

    /// The bytes of `range`, for small reads (tests, headers).
    public func bytes(_ range: Range<Int64>) throws(SplicedFileError<Never>) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(Int(range.count))
        try read(range) { (chunk: UnsafeRawBufferPointer) in result.append(contentsOf: chunk) }
        return result
    }

    /// Writes the whole file to `path` (created or replaced).
    public func write(to path: String) throws(SplicedFileError<SystemError>) {
        let output: FileDescriptor
        do { output = try FileDescriptor.open(path, [.writeOnly, .create, .truncate]) } catch { throw .consumer(error) }
        defer { try? output.close() }
        try read(0..<size) { (chunk: UnsafeRawBufferPointer) throws(SystemError) in try output.writeAll(chunk) }
    }

    /// The last part starting at or before `offset` (binary search: an hour's export has a
    /// few thousand parts).
    static func partIndex(containing offset: Int64, starts: [Int64]) -> Int {
        var low = 0
        var high = starts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if starts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        // Skip empty parts that start at the same offset.
        while low + 1 < starts.count && starts[low + 1] <= offset { low += 1 }
        return low
    }
}

/// Why reading a `SplicedFile` stopped: a source file could not be read, was shorter than
/// planned, or the consumer (a socket, an output file) failed.
public enum SplicedFileError<Consumer: Error>: Error, CustomStringConvertible {
    case source(SystemError)
    case fileShrank(path: String, expectedEnd: Int64)
    case consumer(Consumer)

    public var description: String {
        switch self {
        case .source(let error): return "\(error)"
        case .fileShrank(let path, let end): return "\(path) ends before byte \(end): changed while being read"
        case .consumer(let error): return "\(error)"
        }
    }
}
