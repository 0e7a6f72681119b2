import MediaCore

/// Writes an MPEG-TS file: `TSWriter`'s packets appended to a file. A TS file needs no
/// finishing, so one cut short by a crash loses only its last packets.
public final class TSFileWriter {
    public let path: String
    private var writer: TSWriter
    private var file: FileDescriptor?
    /// Bytes in the file so far, with those held.
    public private(set) var bytesWritten: Int64 = 0
    /// Packets written with `holding` and not yet handed to the kernel, a frame's per part.
    private var held = HeldWrites()

    /// Creates (or truncates) the file at `path`.
    public init(path: String, tracks: [TrackDescription], startTime: Int64 = TSWriter.defaultStartTime) throws(TSError) {
        self.path = path
        writer = try TSWriter(tracks: tracks, startTime: startTime)
        do { file = try FileDescriptor.open(path, [.writeOnly, .create, .truncate]) } catch { throw .system(error) }
    }

    /// See `TSWriter.addSampleDescription`.
    public func addSampleDescription(_ description: SampleDescription, toTrack trackID: UInt32) throws(TSError) -> UInt16 {
        try writer.addSampleDescription(description, toTrack: trackID)
    }

    /// Appends the frame's packets. `holding`: they may wait for later frames, up to
    /// `HeldWrites.maxBytes` or `FileDescriptor.maxPartsPerWrite` frames, and go to the
    /// kernel together in one `writev` at `flush()`; otherwise they go now, with any held.
    public func write(_ frame: MediaFrame, holding: Bool = false) throws(TSError) {
        guard file != nil else { throw .writerClosed(path: path) }
        let bytes = try writer.write(frame)
        held.append(bytes[...])
        bytesWritten += Int64(bytes.count)
        if !holding || held.isFull(partsPerFrame: 1) { try flush() }
    }

    /// Hands the held packets to the kernel.
    public func flush() throws(TSError) {
        guard let file else { return }
        do { try held.write(to: file) } catch { throw .system(error) }
    }

    /// Hands over what is held and closes the file (closed even when the write fails).
    /// Calling it again does nothing.
    public func close() throws(TSError) {
        guard let file else { return }
        self.file = nil
        var failure: SystemError?
        do { try held.write(to: file) } catch { failure = error }
        do { try file.close() } catch { failure = failure ?? error }
        if let failure { throw .system(failure) }
    }

    deinit {
        try? flush()
        try? file?.close()
    }
}
