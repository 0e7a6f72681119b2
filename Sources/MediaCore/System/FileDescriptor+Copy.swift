#if canImport(Glibc)
import Glibc
#endif
import SystemShims

extension FileDescriptor {
    /// Copies `count` bytes from `source` at `sourceOffset` to this file at `offset` inside the
    /// kernel (a reflink where the filesystem shares extents). Returns false, having copied
    /// nothing, when the kernel cannot do it for these files (EXDEV, EINVAL, ENOSYS,
    /// EOPNOTSUPP), so that the caller can fall back. The corresponding C function is
    /// `copy_file_range`.
    public func copyRange(from source: FileDescriptor, sourceOffset: Int64, count: Int64,
                          toOffset offset: Int64) throws(SystemError) -> Bool {
        var inOffset = Int64(sourceOffset), outOffset = Int64(offset)
        var remaining = count
        while remaining > 0 {
            // At most 1 GiB per call keeps each call interruptible.
            let chunk = Int(min(remaining, 1 << 30))
            let n = shim_copy_file_range(source.rawValue, &inOffset, rawValue, &outOffset, UInt(chunk), 0)
            if n < 0 {
                let e = Glibc.errno
                if e == EINTR { continue }
                if remaining == count && (e == EXDEV || e == EINVAL || e == ENOSYS || e == EOPNOTSUPP) { return false }
                throw SystemError(call: "copy_file_range", path: path, errno: e)
            }
            if n == 0 { throw SystemError(call: "copy_file_range", path: source.path, errno: EIO) }
            remaining -= Int64(n)
        }
        return true
    }

    /// Copies `count` bytes from `source` through a user-space buffer.
    public func copyRangeByReading(from source: FileDescriptor, sourceOffset: Int64, count: Int64,
                                   toOffset offset: Int64, bufferSize: Int = 8 << 20) throws(SystemError) {
        var buffer = [UInt8](repeating: 0, count: bufferSize)
        var done: Int64 = 0
        while done < count {
            let want = Int(min(Int64(bufferSize), count - done))
            let got = try buffer.withUnsafeMutableBytes { raw in
                Result { () throws(SystemError) in
                    try source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<want]), fromAbsoluteOffset: sourceOffset + done)
                }
            }.get()
            // A source shorter than planned means it changed under us: fail, never pad.
            if got < want { throw SystemError(call: "read", path: source.path, errno: EIO) }
            try buffer.withUnsafeBytes { raw in
                Result { () throws(SystemError) in
                    try writeAll(UnsafeRawBufferPointer(rebasing: raw[0..<want]), toAbsoluteOffset: offset + done)
                }
            }.get()
            done += Int64(want)
        }
    }
}

extension FileDescriptor {
    /// The parts of `start..<end` that hold data, skipping holes of a sparse file, so that a
    /// copy need not read or write the zeros of a hole. Where the filesystem cannot tell
    /// (EINVAL), the whole range is returned. The corresponding C function is `lseek` with
    /// SEEK_DATA and SEEK_HOLE.
    public func dataRanges(from start: Int64, to end: Int64) throws(SystemError) -> [Range<Int64>] {
        let seekData: Int32 = 3, seekHole: Int32 = 4  // linux/fs.h; Glibc hides them behind _GNU_SOURCE
        var ranges: [Range<Int64>] = []
        var position = start
        while position < end {
            let data = lseek(rawValue, off_t(position), seekData)
            if data < 0 {
                let e = Glibc.errno
                if e == ENXIO { break }  // no data after `position`
                if e == EINVAL && ranges.isEmpty { return [start..<end] }
                throw SystemError(call: "lseek(SEEK_DATA)", path: path, errno: e)
            }
            if Int64(data) >= end { break }
            let hole = lseek(rawValue, data, seekHole)
            if hole < 0 { throw SystemError(call: "lseek(SEEK_HOLE)", path: path, errno: Glibc.errno) }
            ranges.append(Int64(data)..<min(Int64(hole), end))
            position = Int64(hole)
        }
        return ranges
    }
}

extension FileDescriptor {
    /// Why a range operation could not run: the filesystem does not support it (tmpfs, most
    /// network filesystems, misaligned lengths) as opposed to a real I/O error.
    public static func isUnsupported(_ error: SystemError) -> Bool {
        error.errno == EOPNOTSUPP || error.errno == EINVAL || error.errno == ENOSYS
    }

    /// Inserts `length` zero bytes at `offset`, shifting the rest of the file up by moving
    /// extents (no data is copied). Both must be multiples of the filesystem block size. The
    /// corresponding C function is `fallocate` with FALLOC_FL_INSERT_RANGE.
    public func insertRange(at offset: Int64, length: Int64) throws(SystemError) {
        _ = try retryingEINTR("fallocate(FALLOC_FL_INSERT_RANGE)", path) {
            shim_fallocate(rawValue, SHIM_FALLOC_FL_INSERT_RANGE, offset, length)
        }
    }

    /// Removes `length` bytes at `offset`, shifting the rest of the file down (the inverse of
    /// `insertRange`). The corresponding C function is `fallocate` with
    /// FALLOC_FL_COLLAPSE_RANGE.
    public func collapseRange(at offset: Int64, length: Int64) throws(SystemError) {
        _ = try retryingEINTR("fallocate(FALLOC_FL_COLLAPSE_RANGE)", path) {
            shim_fallocate(rawValue, SHIM_FALLOC_FL_COLLAPSE_RANGE, offset, length)
        }
    }

    /// Starts writing the dirty pages of `offset..<offset + length` to the disk and returns
    /// without waiting: a large copy then overlaps its disk writes instead of leaving them all
    /// to the final fdatasync. Not a durability point (no metadata, no disk cache flush).
    /// The corresponding C function is `sync_file_range` with SYNC_FILE_RANGE_WRITE.
    public func startWriteback(offset: Int64, length: Int64) throws(SystemError) {
        _ = try retryingEINTR("sync_file_range", path) {
            shim_sync_file_range(rawValue, offset, length, UInt32(SHIM_SYNC_FILE_RANGE_WRITE))
        }
    }

    /// Writes the dirty pages of the range and waits until all of its pages are written
    /// (including writes started earlier), so that they are clean and may be dropped.
    /// The corresponding C function is `sync_file_range` with WAIT_BEFORE | WRITE | WAIT_AFTER.
    public func waitForWriteback(offset: Int64, length: Int64) throws(SystemError) {
        let flags = UInt32(SHIM_SYNC_FILE_RANGE_WAIT_BEFORE | SHIM_SYNC_FILE_RANGE_WRITE | SHIM_SYNC_FILE_RANGE_WAIT_AFTER)
        _ = try retryingEINTR("sync_file_range", path) { shim_sync_file_range(rawValue, offset, length, flags) }
    }
}
