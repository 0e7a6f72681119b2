import MediaCore
import StagingWriter

/// The in-place strategy: `.mdat` becomes the MP4. A block-aligned range is inserted at its
/// start (FALLOC_FL_INSERT_RANGE moves extents, not bytes) and the header is written into it,
/// so the cost is the metadata's, not the video's.
///
/// ```
/// before: NAME.mp4.mdat = [payload .........................]
/// after:  NAME.mp4      = [ftyp][moov][free][mdat hdr][payload .........................]
///                         |<-- header length, a multiple of the block size -->|
/// ```
///
/// Steps, each safe to interrupt (see `FinalizeJournal`): 1 drop unreferenced bytes at the end
/// of .mdat; 2 write the header to NAME.mp4.header and fsync it; 3 write the journal
/// atomically; 4 insert the range; 5 copy the header in and fsync; 6 rename .mdat to NAME.mp4
/// and fsync the directory; 7 remove the track files, .info, the header file, and last the
/// journal.
struct InPlaceFinalize {
    let output: String
    let set: StagingSet
    let layout: MovieLayout
    let payloadSize: Int64
    let afterStep: (@Sendable (FinalizeStep) -> Void)?

    private var paths: StagingPaths { self.set.paths }

    /// Returns false, having changed nothing that matters, when the filesystem cannot insert
    /// a range; the caller then copies instead.
    func run(writeHeader: (FileDescriptor) throws -> Void) throws -> Bool {
        let mdat = try FileDescriptor.open(paths.mdat, .readWrite)
        defer { try? mdat.close() }
        if try mdat.size() > payloadSize {
            // Payload bytes that no record points at (a crash between the two writes of a flush).
            try mdat.truncate(to: payloadSize)
        }
        let headerPath = FinalizeJournal.headerPath(for: output)
        let header = try FileDescriptor.open(headerPath, [.readWrite, .create, .truncate])
        let headerLength = layout.payloadStart
        do {
            try writeHeader(header)
            try header.truncate(to: headerLength)
            // The journal will promise this file; it must be on disk first.
            try header.sync()
        } catch {
            try? header.close()
            try? FileSystem.remove(headerPath)
            throw error
        }
        let headerBytes = try header.read(count: Int(headerLength), fromAbsoluteOffset: 0)
        try header.close()
        afterStep?(.headerWritten)
        let journal = FinalizeJournal(headerLength: headerLength, payloadSize: payloadSize,
                                      headerCRC: CRC32C.checksum(headerBytes))
        try FileSystem.writeAtomically(journal.encoded(), to: FinalizeJournal.path(for: output))
        afterStep?(.journalWritten)

        do {
            try mdat.insertRange(at: 0, length: headerLength)
        } catch where FileDescriptor.isUnsupported(error) {
            // Nothing was inserted: forget the attempt.
            try FileSystem.remove(FinalizeJournal.path(for: output))
            try FileSystem.remove(headerPath)
            return false
        }
        afterStep?(.rangeInserted)
        try Self.complete(output: output, mdat: mdat, header: headerBytes, afterStep: afterStep)
        return true
    }

    /// Steps 5 to 7, shared with a resumed run.
    private static func complete(output: String, mdat: FileDescriptor, header: [UInt8],
                                 afterStep: (@Sendable (FinalizeStep) -> Void)? = nil) throws {
        let paths = StagingPaths(output: output)
        try mdat.writeAll(header, toAbsoluteOffset: 0)
        // The MP4 must be whole on disk before it takes its final name.
        try mdat.sync()
        try FileSystem.rename(paths.mdat, to: output)
        try FileSystem.syncDirectory(paths.directory)
        afterStep?(.renamed)
        try removeLeftovers(output: output)
    }

    /// Removes what is left of the set once the MP4 is durable; the journal goes last.
    private static func removeLeftovers(output: String) throws {
        let paths = StagingPaths(output: output)
        for id in paths.existingTrackIDs() { try FileSystem.remove(paths.track(id)) }
        try FileSystem.remove(paths.info + ".tmp")
        try FileSystem.remove(paths.info)
        try FileSystem.remove(FinalizeJournal.headerPath(for: output))
        try FileSystem.syncDirectory(paths.directory)
        try FileSystem.remove(FinalizeJournal.path(for: output))
        try FileSystem.syncDirectory(paths.directory)
    }

    /// Finishes or undoes an in-place finalize that a crash interrupted. Returns true when it
    /// finished one (the MP4 is complete); false when there was nothing to resume or the set
    /// was put back as it was, ready for a fresh finalize (which gives the same bytes).
    static func resumeIfInterrupted(output: String, force: Bool) throws -> Bool {
        let paths = StagingPaths(output: output)
        let headerPath = FinalizeJournal.headerPath(for: output)
        guard let journal = FinalizeJournal.read(output: output) else {
            // A header file without a journal was never acted on; a damaged journal likewise
            // (it is written atomically), so .mdat was not touched.
            try FileSystem.remove(headerPath)
            try FileSystem.remove(FinalizeJournal.path(for: output))
            return false
        }
        guard FileSystem.exists(paths.mdat) else {
            if FileSystem.exists(output) {
                // Interrupted after the rename: only the clean-up was left.
                try removeLeftovers(output: output)
                return true
            }
            throw FinalizeError.staging(.malformed(path: FinalizeJournal.path(for: output),
                                                   reason: "an in-place finalize journal, but neither \(paths.mdat) nor \(output) exists"))
        }
        let mdat = try FileDescriptor.open(paths.mdat, .readWrite)
        defer { try? mdat.close() }
        guard try mdat.tryLockExclusive() || force else { throw FinalizeError.locked(output) }
        let size = try mdat.size()
        if size == journal.payloadSize {
            // Interrupted before the insert: start over.
            try FileSystem.remove(headerPath)
            try FileSystem.remove(FinalizeJournal.path(for: output))
            return false
        }
        guard size == journal.headerLength + journal.payloadSize else {
            throw FinalizeError.staging(.malformed(path: paths.mdat,
                reason: "size \(size) matches neither side of the interrupted in-place finalize (payload \(journal.payloadSize), header \(journal.headerLength)); left untouched"))
        }
        if let header = try? FileSystem.readFile(headerPath), header.count == Int(journal.headerLength),
           CRC32C.checksum(header) == journal.headerCRC {
            try complete(output: output, mdat: mdat, header: header)
            return true
        }
        // Inserted, but the header file is not the one planned: take the range out again,
        // which gives back the original .mdat, and start over.
        try mdat.collapseRange(at: 0, length: journal.headerLength)
        try mdat.sync()
        try FileSystem.remove(headerPath)
        try FileSystem.remove(FinalizeJournal.path(for: output))
        return false
    }
}
