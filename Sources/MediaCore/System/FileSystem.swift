#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Path-level system calls: rename, unlink, directory fsync, existence. Each throws
/// `SystemError` naming the call and path.
public enum FileSystem {
    /// The corresponding C function is `rename`: atomic replacement within one filesystem.
    public static func rename(_ from: String, to: String) throws(SystemError) {
        _ = try retryingEINTR("rename", from) { Glibc.rename(from, to) }
    }

    /// The corresponding C function is `unlink`. A missing file is not an error when
    /// `ignoringMissing` is set (removal is idempotent for reruns after a crash).
    public static func remove(_ path: String, ignoringMissing: Bool = true) throws(SystemError) {
        if Glibc.unlink(path) != 0 {
            let e = Glibc.errno
            if e == ENOENT && ignoringMissing { return }
            throw SystemError(call: "unlink", path: path, errno: e)
        }
    }

    /// fsync of a directory makes the names in it (creations, renames, removals) durable.
    public static func syncDirectory(_ path: String) throws(SystemError) {
        let fd = try FileDescriptor.open(path.isEmpty ? "." : path, [.readOnly, .directory])
        defer { try? fd.close() }
        try fd.sync()
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    /// Size of the file at `path`, or nil when it does not exist.
    public static func fileSize(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_size)
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// True for a directory itself, false for a symbolic link to one: a tree walk that
    /// follows links can loop or leave the tree. The corresponding C function is `lstat`.
    public static func isDirectoryNotLink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates `path` and its missing parents.
    public static func createDirectories(_ path: String) throws(SystemError) {
        if path.isEmpty || isDirectory(path) { return }
        let parent = directoryName(path)
        if parent != path { try createDirectories(parent) }
        if mkdir(path, 0o755) != 0 && Glibc.errno != EEXIST {
            throw SystemError(call: "mkdir", path: path, errno: Glibc.errno)
        }
    }

    /// The directory part of a path ("." for a bare name).
    public static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// Reads a whole (small) file.
    public static func readFile(_ path: String) throws(SystemError) -> [UInt8] {
        let fd = try FileDescriptor.open(path, .readOnly)
        defer { try? fd.close() }
        let size = try fd.size()
        return try fd.read(count: Int(size), fromAbsoluteOffset: 0)
    }

    /// Replaces `path` atomically with `bytes`: temp file, fsync, rename, directory fsync.
    /// A crash at any instant leaves either the old content or the new, never a mix.
    /// `durable: false` skips both fsyncs: readers still see the old or the new file whole,
    /// but after a power cut the file may be empty or old. For files whose content is also
    /// kept elsewhere, written on a path that must not wait for the disk. `permissions`
    /// apply to a new file (0o600 for one that holds secrets).
    public static func writeAtomically(_ bytes: [UInt8], to path: String, durable: Bool = true,
                                       permissions: mode_t = 0o644) throws(SystemError) {
        let temporary = path + ".tmp"
        try? remove(temporary)  // a leftover keeps its old mode; a fresh file takes `permissions`
        let fd = try FileDescriptor.open(temporary, [.writeOnly, .create, .truncate], permissions: permissions)
        do {
            try fd.writeAll(bytes)
            // Without this fsync a power cut after the rename could leave an empty file.
            if durable { try fd.sync() }
            try fd.close()
        } catch {
            try? fd.close()
            try? remove(temporary)
            throw error
        }
        try rename(temporary, to: path)
        // Makes the rename itself survive a power cut.
        if durable { try syncDirectory(directoryName(path)) }
    }
}

extension FileSystem {
    /// The last component of a path.
    public static func baseName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Names in a directory (no "." or ".."); empty when it cannot be read.
    public static func listDirectory(_ path: String) -> [String] {
        guard let dir = opendir(path.isEmpty ? "." : path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
