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
/// of .mdat; 2 write the header and the journal's trailer to NAME.mp4.journal, fsync it and the
/// directory; 3 insert the range; 4 copy the header in from the journal and fsync; 5 rename
/// .mdat to NAME.mp4 and fsync the directory; 6 remove the track files, .info and last the
/// journal. Four fsyncs in all: the clean-up needs none, since a rerun removes whatever a
/// power cut brings back (see `Finalizer` and `resumeIfInterrupted`).
struct InPlaceFinalize {
    let output: String
    let set: StagingSet
    let layout: MovieLayout
    let payloadSize: Int64
    let afterStep: (@Sendable (FinalizeStep) -> Void)?

    private var paths: StagingPaths { self.set.paths }

    /// Returns false, having changed nothing that matters, when the filesystem cannot insert
    /// a range; the caller then copies instead. The header is `headerBytes` when it could be
    /// assembled in memory (`Finalizer.headerBytes`: one write, its checksum computed without
    /// reading it back), else what `writeHeader` streams into the journal (tables too large to
    /// hold; the checksum is read back).
    func run(headerBytes: [UInt8]?, writeHeader: (FileDescriptor) throws -> Void) throws -> Bool {
        let mdat = try FileDescriptor.open(paths.mdat, .readWrite)
        defer { try? mdat.close() }
        if try mdat.size() > payloadSize {
            // Payload bytes that no record points at (a crash between the two writes of a flush).
            try mdat.truncate(to: payloadSize)
        }
        let journalPath = FinalizeJournal.path(for: output)
        let journalFile = try FileDescriptor.open(journalPath, [.readWrite, .create, .truncate])
        let headerLength = layout.payloadStart
        do {
            if let bytes = headerBytes {
                try journalFile.writeAll(bytes, toAbsoluteOffset: 0)
                afterStep?(.headerWritten)
                let journal = FinalizeJournal(headerLength: headerLength, payloadSize: payloadSize, headerCRC: CRC32C.checksum(bytes))
                try journalFile.writeAll(journal.encodedTrailer(), toAbsoluteOffset: headerLength)
            } else {
                try writeHeader(journalFile)
                try journalFile.truncate(to: headerLength)
                afterStep?(.headerWritten)
                let journal = FinalizeJournal(headerLength: headerLength, payloadSize: payloadSize,
                                              headerCRC: try FinalizeJournal.checksum(of: journalFile, length: headerLength))
                try journalFile.writeAll(journal.encodedTrailer(), toAbsoluteOffset: headerLength)
            }
            // The insert below relies on the journal: header and trailer on disk first.
            try journalFile.dataSync()
            try FileSystem.syncDirectory(paths.directory)
        } catch {
            try? journalFile.close()
            try? FileSystem.remove(journalPath)
            throw error
        }
        defer { try? journalFile.close() }
        afterStep?(.journalWritten)

        do {
            try mdat.insertRange(at: 0, length: headerLength)
        } catch where FileDescriptor.isUnsupported(error) {
            // Nothing was inserted: forget the attempt.
            try FileSystem.remove(journalPath)
            return false
        }
        afterStep?(.rangeInserted)
        try Self.complete(output: output, mdat: mdat, journal: journalFile, headerLength: headerLength, afterStep: afterStep)
        return true
    }

    /// Steps 4 to 6, shared with a resumed run.
    private static func complete(output: String, mdat: FileDescriptor, journal: FileDescriptor, headerLength: Int64,
                                 afterStep: (@Sendable (FinalizeStep) -> Void)? = nil) throws {
        let paths = StagingPaths(output: output)
        // Offset 0 to offset 0: block-aligned, so the kernel may share the blocks.
        if try !mdat.copyRange(from: journal, sourceOffset: 0, count: headerLength, toOffset: 0) {
            try mdat.copyRangeByReading(from: journal, sourceOffset: 0, count: headerLength, toOffset: 0, bufferSize: 1 << 20)
        }
        // The MP4 must be whole on disk before it takes its final name.
        try mdat.sync()
        try FileSystem.rename(paths.mdat, to: output)
        try FileSystem.syncDirectory(paths.directory)
        afterStep?(.renamed)
        try removeLeftovers(output: output)
    }

    /// Removes what is left of the set once the MP4 is durable; the journal goes last. No
    /// fsync: if a power cut brings some of these back, the journal (resumed here) or the MP4
    /// beside a set without .mdat (`Finalizer`) makes a rerun remove them again.
    private static func removeLeftovers(output: String) throws {
        let paths = StagingPaths(output: output)
        for id in paths.existingTrackIDs() { try FileSystem.remove(paths.track(id)) }
        try FileSystem.remove(paths.info + ".tmp")
        try FileSystem.remove(paths.info)
        try FileSystem.remove(FinalizeJournal.path(for: output))
    }

    /// Finishes or undoes an in-place finalize that a crash interrupted. Returns true when it
    /// finished one (the MP4 is complete); false when there was nothing to resume or the set
    /// was put back as it was, ready for a fresh finalize (which gives the same bytes).
    static func resumeIfInterrupted(output: String, force: Bool) throws -> Bool {
        let paths = StagingPaths(output: output)
        let journalPath = FinalizeJournal.path(for: output)
        guard let journal = FinalizeJournal.read(output: output) else {
            // A journal without a readable trailer was never acted on (the insert comes only
            // after the whole journal is durable), so .mdat was not touched.
            try FileSystem.remove(journalPath)
            return false
        }
        guard FileSystem.exists(paths.mdat) else {
            if FileSystem.exists(output) {
                // Interrupted after the rename: only the clean-up was left.
                try removeLeftovers(output: output)
                return true
            }
            throw FinalizeError.staging(.malformed(path: journalPath,
                                                   reason: "an in-place finalize journal, but neither \(paths.mdat) nor \(output) exists"))
        }
        let mdat = try FileDescriptor.open(paths.mdat, .readWrite)
        defer { try? mdat.close() }
        guard try mdat.tryLockExclusive() || force else { throw FinalizeError.locked(output) }
        let size = try mdat.size()
        if size == journal.payloadSize {
            // Interrupted before the insert: start over.
            try FileSystem.remove(journalPath)
            return false
        }
        guard size == journal.headerLength + journal.payloadSize else {
            throw FinalizeError.staging(.malformed(path: paths.mdat,
                reason: "size \(size) matches neither side of the interrupted in-place finalize (payload \(journal.payloadSize), header \(journal.headerLength)); left untouched"))
        }
        let journalFile = try FileDescriptor.open(journalPath, .readOnly)
        defer { try? journalFile.close() }
        if try FinalizeJournal.checksum(of: journalFile, length: journal.headerLength) == journal.headerCRC {
            try complete(output: output, mdat: mdat, journal: journalFile, headerLength: journal.headerLength)
            return true
        }
        // Inserted, but the journal's header is not the one planned: take the range out
        // again, which gives back the original .mdat, and start over.
        try mdat.collapseRange(at: 0, length: journal.headerLength)
        try mdat.sync()
        try FileSystem.remove(journalPath)
        return false
    }
}
