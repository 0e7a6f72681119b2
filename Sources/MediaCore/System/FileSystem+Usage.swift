#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How full the filesystem holding a path is. Made by `FileSystem.usage` (tests fake one
/// through `@testable import`).
public struct FilesystemUsage: Sendable, Equatable {
    /// The filesystem's id (`f_fsid`): two roots on one filesystem share their free space.
    public var filesystemID: UInt64
    /// Bytes the filesystem holds in all.
    public var totalBytes: UInt64
    /// Bytes an unprivileged process may still write (`f_bavail`: root's reserve excluded).
    public var availableBytes: UInt64
}

extension FileSystem {
    /// The usage of the filesystem that holds `path`. The corresponding C function is
    /// `statvfs`.
    public static func usage(_ path: String) throws(SystemError) -> FilesystemUsage {
        var st = statvfs()
        _ = try retryingEINTR("statvfs", path) { statvfs(path, &st) }
        let unit = UInt64(st.f_frsize == 0 ? st.f_bsize : st.f_frsize)
        return FilesystemUsage(filesystemID: UInt64(st.f_fsid), totalBytes: UInt64(st.f_blocks) * unit,
                               availableBytes: UInt64(st.f_bavail) * unit)
    }

    /// When the file at `path` was last modified, Unix seconds; nil when it does not exist.
    public static func modificationTime(_ path: String) -> Double? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
    }
}
