#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A thin owner of a POSIX file descriptor: one wrapper per system call, each retrying EINTR,
/// looping over short reads and writes, and throwing `SystemError` naming the call and path.
/// Closing is explicit (`close()`), so that a failed close can be reported.
public struct FileDescriptor: Sendable {
    public let rawValue: Int32
    public let path: String

    /// Descriptor 2, for programs that print without Foundation (mp4writer).
    public static let standardError = FileDescriptor(rawValue: 2, path: "standard error")

    public struct OpenOptions: OptionSet, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let readOnly = OpenOptions([])
        public static let readWrite = OpenOptions(rawValue: O_RDWR)
        public static let writeOnly = OpenOptions(rawValue: O_WRONLY)
        public static let create = OpenOptions(rawValue: O_CREAT)
        public static let truncate = OpenOptions(rawValue: O_TRUNC)
        public static let exclusive = OpenOptions(rawValue: O_EXCL)
        public static let append = OpenOptions(rawValue: O_APPEND)
        public static let directory = OpenOptions(rawValue: O_DIRECTORY)
    }

    /// The corresponding C function is `open`.
    public static func open(_ path: String, _ options: OpenOptions, permissions: mode_t = 0o644) throws(SystemError) -> FileDescriptor {
        let fd = try retryingEINTR("open", path) { Glibc.open(path, options.rawValue | O_CLOEXEC, permissions) }
        return FileDescriptor(rawValue: fd, path: path)
    }

    /// The corresponding C function is `close`.
    public func close() throws(SystemError) {
        // Linux always releases the descriptor, even on EINTR: never retry close.
        if Glibc.close(rawValue) != 0 { throw SystemError(call: "close", path: path, errno: Glibc.errno) }
    }

    /// Writes all of `buffer` at the current position. The corresponding C function is `write`.
    public func writeAll(_ buffer: UnsafeRawBufferPointer) throws(SystemError) {
        var done = 0
        while done < buffer.count {
            let n = try retryingEINTR("write", path) { Glibc.write(rawValue, buffer.baseAddress! + done, buffer.count - done) }
            done += n
        }
    }

    public func writeAll(_ bytes: [UInt8]) throws(SystemError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(SystemError) in try writeAll(raw) } }.get()
    }

    /// Writes `first`, `second` and `third` one after the other (see `writeAll(gathering:)`).
    public func writeAll(_ first: [UInt8], _ second: [UInt8], _ third: [UInt8]) throws(SystemError) {
        try writeAll(gathering: [first[...], second[...], third[...]])
    }

    /// Parts handed to one `writev`: well under IOV_MAX (1024), and enough that a flush of
    /// half a second of a stream's frames is one call.
    public static let maxPartsPerWrite = 256

    /// Writes `parts` one after the other at the current position, with one system call per
    /// `maxPartsPerWrite` parts when the kernel takes them whole: frames' payloads go to the
    /// file from the buffers they arrived in, without being joined in a new array first.
    /// The corresponding C function is `writev`.
    public func writeAll(gathering parts: [ArraySlice<UInt8>]) throws(SystemError) {
        var start = parts.startIndex
        while start < parts.endIndex {
            let end = min(parts.endIndex, start + Self.maxPartsPerWrite)
            try writeGroup(parts[start..<end])
            start = end
        }
    }

    private func writeGroup(_ group: ArraySlice<ArraySlice<UInt8>>) throws(SystemError) {
        let total = group.reduce(0) { $0 + $1.count }
        guard total > 0 else { return }
        var vectors: [iovec] = []
        vectors.reserveCapacity(group.count)
        let written = try Self.withVectors(of: group, &vectors) { vectors throws(SystemError) in
            try retryingEINTR("writev", path) { Glibc.writev(rawValue, vectors.baseAddress, Int32(vectors.count)) }
        }
        guard written < total else { return }
        // A short write (a full disk, a signal): the rest piece by piece.
        var skip = written
        for part in group {
            if skip >= part.count { skip -= part.count; continue }
            try part.withUnsafeBytes { raw in
                Result { () throws(SystemError) in try writeAll(UnsafeRawBufferPointer(rebasing: raw[skip...])) }
            }.get()
            skip = 0
        }
    }

    /// Runs `body` with an iovec per part, each part's storage pinned for the call (one nested
    /// `withUnsafeBytes` per part: at most `maxPartsPerWrite` deep).
    private static func withVectors(of parts: ArraySlice<ArraySlice<UInt8>>, _ vectors: inout [iovec],
                                    _ body: (UnsafeBufferPointer<iovec>) throws(SystemError) -> Int) throws(SystemError) -> Int {
        guard let first = parts.first else {
            return try vectors.withUnsafeBufferPointer { pointer in Result { () throws(SystemError) in try body(pointer) } }.get()
        }
        return try first.withUnsafeBytes { raw in
            vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress), iov_len: raw.count))
            return Result { () throws(SystemError) in try withVectors(of: parts.dropFirst(), &vectors, body) }
        }.get()
    }

    /// Writes all of `buffer` at `offset`. The corresponding C function is `pwrite`.
    public func writeAll(_ buffer: UnsafeRawBufferPointer, toAbsoluteOffset offset: Int64) throws(SystemError) {
        var done = 0
        while done < buffer.count {
            let n = try retryingEINTR("pwrite", path) {
                Glibc.pwrite(rawValue, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            }
            done += n
        }
    }

    public func writeAll(_ bytes: [UInt8], toAbsoluteOffset offset: Int64) throws(SystemError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(SystemError) in try writeAll(raw, toAbsoluteOffset: offset) } }.get()
    }

    /// Reads up to `buffer.count` bytes at `offset`, looping over short reads until the end of
    /// the file. Returns the bytes read. The corresponding C function is `pread`.
    public func read(into buffer: UnsafeMutableRawBufferPointer, fromAbsoluteOffset offset: Int64) throws(SystemError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = try retryingEINTR("pread", path) {
                Glibc.pread(rawValue, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads `count` bytes at `offset` (fewer at the end of the file).
    public func read(count: Int, fromAbsoluteOffset offset: Int64) throws(SystemError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let n = try bytes.withUnsafeMutableBytes { raw in Result { () throws(SystemError) in try read(into: raw, fromAbsoluteOffset: offset) } }.get()
        bytes.removeLast(count - n)
        return bytes
    }

    /// The corresponding C function is `fstat`; returns the file's size in bytes.
    public func size() throws(SystemError) -> Int64 {
        var st = stat()
        _ = try retryingEINTR("fstat", path) { fstat(rawValue, &st) }
        return Int64(st.st_size)
    }

    /// Filesystem block size, for alignment decisions.
    public func blockSize() throws(SystemError) -> Int {
        var st = stat()
        _ = try retryingEINTR("fstat", path) { fstat(rawValue, &st) }
        return Int(st.st_blksize)
    }

    /// Data and metadata to stable storage. The corresponding C function is `fsync`.
    public func sync() throws(SystemError) {
        _ = try retryingEINTR("fsync", path) { fsync(rawValue) }
    }

    /// Data (and the size) to stable storage. The corresponding C function is `fdatasync`.
    public func dataSync() throws(SystemError) {
        _ = try retryingEINTR("fdatasync", path) { fdatasync(rawValue) }
    }

    /// Asks the kernel to drop the cached pages of `offset..<offset + length` (0: to the end)
    /// that are clean. Advisory: a failure changes nothing that matters, so none is reported.
    /// The corresponding C function is `posix_fadvise` with POSIX_FADV_DONTNEED.
    public func dropCachedPages(offset: Int64 = 0, length: Int64 = 0) {
        _ = posix_fadvise(rawValue, off_t(offset), off_t(length), POSIX_FADV_DONTNEED)
    }

    /// The corresponding C function is `ftruncate`.
    public func truncate(to size: Int64) throws(SystemError) {
        _ = try retryingEINTR("ftruncate", path) { ftruncate(rawValue, off_t(size)) }
    }

    /// An exclusive advisory lock, without waiting. Returns false when another open file
    /// description holds it. The corresponding C function is `flock`.
    public func tryLockExclusive() throws(SystemError) -> Bool {
        while true {
            if flock(rawValue, LOCK_EX | LOCK_NB) == 0 { return true }
            let e = Glibc.errno
            if e == EINTR { continue }
            if e == EWOULDBLOCK { return false }
            throw SystemError(call: "flock", path: path, errno: e)
        }
    }
}

/// Calls `body` until it does not fail with EINTR; a negative result becomes a `SystemError`.
@inline(__always)
func retryingEINTR<T: BinaryInteger>(_ call: String, _ path: String, _ body: () -> T) throws(SystemError) -> T {
    while true {
        let result = body()
        if result >= 0 { return result }
        let e = Glibc.errno
        if e != EINTR { throw SystemError(call: call, path: path, errno: e) }
    }
}
