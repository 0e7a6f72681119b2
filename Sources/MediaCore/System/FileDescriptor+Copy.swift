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
