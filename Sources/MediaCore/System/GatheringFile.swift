/// A file written at its end whose parts may wait: parts appended while the caller is behind
/// are held (slices, not copies) and go to the kernel together in one `writev`, so a writer
/// that catches up on a backlog makes one system call for many frames. The FLV and TS file
/// writers' output.
public final class GatheringFile {
    /// Bytes held at most before they go to the kernel anyway (memory stays bounded).
    public static let maxHeldBytes = 1 << 20

    public let path: String
    private var file: FileDescriptor?
    private var held: [ArraySlice<UInt8>] = []
    private var heldBytes = 0

    /// Creates (or truncates) the file at `path`.
    public init(creating path: String) throws(SystemError) {
        self.path = path
        file = try FileDescriptor.open(path, [.writeOnly, .create, .truncate])
    }

    /// False once `close()` was called.
    public var isOpen: Bool { file != nil }

    /// Holds `part` until the next flush.
    public func hold(_ part: ArraySlice<UInt8>) {
        held.append(part)
        heldBytes += part.count
    }

    /// Flushes, unless `holding` (more parts follow at once) and another `nextParts` parts
    /// still fit under `maxHeldBytes` and `FileDescriptor.maxPartsPerWrite`.
    public func flush(unlessHolding holding: Bool, nextParts: Int) throws(SystemError) {
        if !holding || heldBytes >= Self.maxHeldBytes || held.count + nextParts > FileDescriptor.maxPartsPerWrite {
            try flush()
        }
    }

    /// Hands the held parts to the kernel.
    public func flush() throws(SystemError) {
        guard let file, !held.isEmpty else { return }
        try file.writeAll(gathering: held)
        held.removeAll(keepingCapacity: true)
        heldBytes = 0
    }

    /// Flushes, lets `finish` write in place (FLV patches its header), and closes the file,
    /// which is closed whatever fails. Calling it again does nothing.
    public func close(finishing finish: (FileDescriptor) throws(SystemError) -> Void = { _ in }) throws(SystemError) {
        guard let file else { return }
        do {
            try flush()
            try finish(file)
        } catch {
            self.file = nil
            try? file.close()
            throw error
        }
        self.file = nil
        try file.close()
    }

    deinit {
        try? flush()
        try? file?.close()
    }
}
