import MediaCore

/// Writes an MPEG-TS file: `TSWriter`'s packets appended to a file. A TS file needs no
/// finishing, so one cut short by a crash loses only its last packets.
public final class TSFileWriter {
    public let path: String
    private var writer: TSWriter
    /// Packets written with `holding` wait there, a frame's per part.
    private let file: GatheringFile
    /// Bytes in the file so far, with those held.
    public private(set) var bytesWritten: Int64 = 0

    /// Creates (or truncates) the file at `path`.
    public init(path: String, tracks: [TrackDescription], startTime: Int64 = TSWriter.defaultStartTime) throws(TSError) {
        self.path = path
        writer = try TSWriter(tracks: tracks, startTime: startTime)
        do { file = try GatheringFile(creating: path) } catch { throw .system(error) }
    }

    /// See `TSWriter.addSampleDescription`.
    public func addSampleDescription(_ description: SampleDescription, toTrack trackID: UInt32) throws(TSError) -> UInt16 {
        try writer.addSampleDescription(description, toTrack: trackID)
    }

    /// Appends the frame's packets. `holding`: they may wait for later frames, up to
    /// `GatheringFile.maxHeldBytes` or `FileDescriptor.maxPartsPerWrite` frames, and go to the
    /// kernel together in one `writev` at `flush()`; otherwise they go now, with any held.
    public func write(_ frame: MediaFrame, holding: Bool = false) throws(TSError) {
        guard file.isOpen else { throw .writerClosed(path: path) }
        let bytes = try writer.write(frame)
        file.hold(bytes[...])
        bytesWritten += Int64(bytes.count)
        do { try file.flush(unlessHolding: holding, nextParts: 1) } catch { throw .system(error) }
    }

    /// Hands the held packets to the kernel.
    public func flush() throws(TSError) {
        do { try file.flush() } catch { throw .system(error) }
    }

    /// Hands over what is held and closes the file. Calling it again does nothing.
    public func close() throws(TSError) {
        do { try file.close() } catch { throw .system(error) }
    }
}
