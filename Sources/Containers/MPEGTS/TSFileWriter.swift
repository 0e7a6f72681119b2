import MediaCore

/// Writes an MPEG-TS file: `TSWriter`'s packets appended to a file. A TS file needs no
/// finishing, so one cut short by a crash loses only its last packets.
public final class TSFileWriter {
    public let path: String
    private var writer: TSWriter
    private var file: FileDescriptor?
    public private(set) var bytesWritten: Int64 = 0

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

    public func write(_ frame: MediaFrame) throws(TSError) {
        guard let file else { throw .writerClosed(path: path) }
        let bytes = try writer.write(frame)
        do { try file.writeAll(bytes) } catch { throw .system(error) }
        bytesWritten += Int64(bytes.count)
    }

    /// Closes the file. Calling it again does nothing.
    public func close() throws(TSError) {
        guard let file else { return }
        self.file = nil
        do { try file.close() } catch { throw .system(error) }
    }

    deinit {
        try? file?.close()
    }
}
