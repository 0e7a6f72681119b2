import MediaCore

/// Writes an FLV file: `FLVWriter`'s bytes appended to a file, and onMetaData's duration and
/// filesize patched in place on `close()`. A file that is never closed (a crash) is still a
/// playable FLV, with duration and filesize 0.
public final class FLVFileWriter {
    public let path: String
    private var writer: FLVWriter
    /// Tags written with `holding` wait there: headers, and the frames' payloads as they
    /// arrived (not copied).
    private let file: GatheringFile

    /// Creates (or truncates) the file at `path` and writes the header.
    public init(path: String, tracks: [TrackDescription], options: FLVTagMuxer.Options = FLVTagMuxer.Options()) throws(FLVError) {
        self.path = path
        writer = try FLVWriter(tracks: tracks, options: options)
        do {
            file = try GatheringFile(creating: path)
            file.hold(writer.header[...])
            try file.flush()
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

    /// Appends the frame's tags. `holding`: more frames follow at once (a writer that is
    /// behind), so the tags may wait for them, up to `GatheringFile.maxHeldBytes` or
    /// `FileDescriptor.maxPartsPerWrite` parts, and go to the kernel together in one `writev` at `flush()`;
    /// otherwise they go now, with any held before them.
    public func write(_ frame: MediaFrame, holding: Bool = false) throws(FLVError) {
        guard file.isOpen else { throw .writerClosed(path: path) }
        let parts = try writer.writeParts(frame)
        file.hold(parts.head[...])
        file.hold(parts.payload)
        file.hold(parts.tail[...])
        do { try file.flush(unlessHolding: holding, nextParts: 3) } catch { throw .system(error) }
    }

    /// Hands the held tags to the kernel.
    public func flush() throws(FLVError) {
        do { try file.flush() } catch { throw .system(error) }
    }

    /// Patches onMetaData and closes the file. Calling it again does nothing.
    public func close() throws(FLVError) {
        do {
            try file.close { file throws(SystemError) in
                for patch in writer.finalPatches() { try file.writeAll(patch.bytes, toAbsoluteOffset: patch.offset) }
            }
        } catch {
            throw .system(error)
        }
    }
}
