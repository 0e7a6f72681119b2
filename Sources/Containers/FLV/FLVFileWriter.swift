import MediaCore

/// Writes an FLV file: `FLVWriter`'s bytes appended to a file, and onMetaData's duration and
/// filesize patched in place on `close()`. A file that is never closed (a crash) is still a
/// playable FLV, with duration and filesize 0.
public final class FLVFileWriter {
    public let path: String
    private var writer: FLVWriter
    private var file: FileDescriptor?
    /// Tags written with `holding` and not yet handed to the kernel: headers, and the frames'
    /// payloads as they arrived (not copied).
    private var held = HeldWrites()

    /// Creates (or truncates) the file at `path` and writes the header.
    public init(path: String, tracks: [TrackDescription], options: FLVTagMuxer.Options = FLVTagMuxer.Options()) throws(FLVError) {
        self.path = path
        writer = try FLVWriter(tracks: tracks, options: options)
        do {
            let file = try FileDescriptor.open(path, [.writeOnly, .create, .truncate])
            self.file = file
            try file.writeAll(writer.header)
        } catch {
            throw .system(error)
        }
    }

    /// Bytes in the file so far.
    public var bytesWritten: Int64 { writer.bytesWritten }

    /// See `FLVTagMuxer.addSampleDescription`.
    public func addSampleDescription(_ description: SampleDescription, toTrack trackID: UInt32) throws(FLVError) -> UInt16 {
        try writer.addSampleDescription(description, toTrack: trackID)
    }

    /// Appends the frame's tags. `holding`: the tags may wait for later frames, up to
    /// `HeldWrites.maxBytes` or `FileDescriptor.maxPartsPerWrite` parts, and go to the kernel
    /// together in one `writev` at `flush()`; otherwise they go now, with any held before them.
    public func write(_ frame: MediaFrame, holding: Bool = false) throws(FLVError) {
        guard file != nil else { throw .writerClosed(path: path) }
        let parts = try writer.writeParts(frame)
        held.append(parts.head[...])
        held.append(parts.payload)
        held.append(parts.tail[...])
        if !holding || held.isFull(partsPerFrame: 3) { try flush() }
    }

    /// Hands the held tags to the kernel.
    public func flush() throws(FLVError) {
        guard let file else { return }
        do { try held.write(to: file) } catch { throw .system(error) }
    }

    /// Patches onMetaData and closes the file. Calling it again does nothing.
    public func close() throws(FLVError) {
        guard let file else { return }
        do { try flush() } catch {
            try? file.close()
            self.file = nil
            throw error
        }
        self.file = nil
        do {
            for patch in writer.finalPatches() {
                try file.writeAll(patch.bytes, toAbsoluteOffset: patch.offset)
            }
        } catch {
            try? file.close()
            throw .system(error)
        }
        do { try file.close() } catch { throw .system(error) }
    }

    deinit {
        try? flush()
        try? file?.close()
    }
}
