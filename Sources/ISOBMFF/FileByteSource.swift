import MediaCore

/// A file opened read-only; the descriptor is closed when the last reference goes away.
final class FileByteSource: ByteSource {
    let file: FileDescriptor
    let size: Int64

    init(path: String) throws(MP4ParseError) {
        do throws(SystemError) {
            file = try FileDescriptor.open(path, .readOnly)
        } catch {
            throw .system(error)
        }
        do throws(SystemError) {
            size = try file.size()
        } catch {
            try? file.close()
            throw .system(error)
        }
    }

    deinit {
        // A failed close of a read-only descriptor loses nothing; there is no one to tell.
        try? file.close()
    }

    func read(count: Int, at offset: Int64) throws(MP4ParseError) -> [UInt8] {
        do throws(SystemError) { return try file.read(count: count, fromAbsoluteOffset: offset) } catch {
            throw .system(error)
        }
    }
}
