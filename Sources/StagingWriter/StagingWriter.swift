#if canImport(Glibc)
import Glibc
#endif
import MediaCore

/// Writes a staging set incrementally and crash-safely (see `StagingFormat`).
///
/// Samples are held in memory, so there is no system call per sample, and handed to the
/// kernel at least every `flushInterval` seconds of media and every `wallFlushInterval` seconds
/// of wall-clock time: a kill -9 loses at most that.
/// Every `syncInterval` seconds of wall-clock time the files are fdatasync'd, in the
/// background (`BackgroundSync`): a power cut loses at most that plus the sync's own time. Within a flush the payload bytes go to .mdat before the records that point at them go
/// to the track files, so a record on disk never points at bytes that were not yet written.
///
/// While open, the writer holds an exclusive `flock` on the .mdat file: a repair tool that
/// cannot take the lock knows the set is live, not orphaned.
public final class StagingWriter {
    public struct Options: Sendable {
        /// Seconds of media between hand-offs of buffered bytes to the kernel.
        public var flushInterval: Double = 0.5
        /// Seconds of wall-clock time between hand-offs too: a live stream's buffers reach the
        /// kernel at least this often (half the media interval, so that a kill -9 during a live
        /// recording loses well under a second even with the network's own delays).
        public var wallFlushInterval: Double = 0.25
        /// Seconds of wall-clock time between fdatasync calls; nil syncs only at close. Wall
        /// time, not media time: a power cut loses what was written in the last interval, and
        /// a file fed faster than real time must not pay an fdatasync per 2 s of media.
        public var syncInterval: Double? = 2.0
        /// Buffered bytes that force a flush whatever the media time (bounds memory).
        public var maxBufferedBytes: Int = 4 << 20
        /// .mdat bytes handed to the kernel between starts of their writeback to the disk
        /// (`BackgroundSync.startWriteback`); nil leaves them to the syncs. 16 MiB is 8 s of a
        /// 16 Mbps stream (a live stream meets the 2 s sync first) and 30 ms of a fast push.
        public var writebackBytes: Int? = 16 << 20
        public var winQtCompat: Bool = false
        /// Creation time written in the set (Unix seconds); now by default.
        public var creationTime: UInt64 = UInt64(time(nil))
        /// The background sync's fdatasync: tests make it slow or failing.
        var backgroundFileSync: @Sendable (FileDescriptor) throws(SystemError) -> Void = { file throws(SystemError) in try file.dataSync() }

        public init() {}
    }

    /// A class, so that appending to its buffer mutates in place (a struct copied out of the
    /// dictionary would copy the buffer on every sample).
    private final class TrackState {
        var description: TrackDescription
        let file: FileDescriptor
        // Unchecked (here and in the writer's per-sample fields): a writer is used by one
        // thread at a time, and the runtime's exclusivity checks on every append cost about
        // a tenth of it (perf, 1 M samples).
        @exclusivity(unchecked) var buffer: [UInt8] = []
        @exclusivity(unchecked) var lastDTS: Int64?
        @exclusivity(unchecked) var sampleCount: UInt64 = 0
        var presentationEnd: Int64?

        init(description: TrackDescription, file: FileDescriptor) {
            self.description = description
            self.file = file
        }
    }

    public let paths: StagingPaths
    public let options: Options
    private let mdat: FileDescriptor
    /// Payloads appended and not yet written: slices of the buffers the frames arrived in
    /// (not copied here), handed to the kernel with one `writev` per flush.
    @exclusivity(unchecked) private var pendingPayloads: [ArraySlice<UInt8>] = []
    @exclusivity(unchecked) private var pendingPayloadBytes = 0
    /// Logical end of .mdat: bytes written plus bytes buffered.
    @exclusivity(unchecked) private var mdatEnd: UInt64 = 0
    private var tracks: [UInt32: TrackState] = [:]
    private var trackOrder: [UInt32] = []
    private var info: StagingInfo
    @exclusivity(unchecked) private var mediaTime: Double = 0
    @exclusivity(unchecked) private var lastFlushTime: Double = 0
    @exclusivity(unchecked) private var lastWallFlush = monotonicNow()
    @exclusivity(unchecked) private var lastSyncTime = monotonicNow()
    /// .mdat below this offset had its writeback started (or was synced).
    @exclusivity(unchecked) private var writebackStarted: UInt64 = 0
    /// Runs the periodic fdatasync so that a slow disk does not hold up the writer.
    private let backgroundSync: BackgroundSync
    private var isOpen = true
    /// The first write or sync that failed (a full disk, an I/O error). After it the writer
    /// refuses everything: a partly written buffer must not be written again at a shifted
    /// offset. What reached the files before stays valid and is recovered by mp4writer.
    private var failure: StagingError?

    /// Creates the set for the final MP4 path `output` (`/media/rec.mp4` writes
    /// `/media/rec.mp4.info`, `.mdat`, `.trackN`). Refuses to touch an existing set.
    public init(output: String, options: Options = Options()) throws(StagingError) {
        paths = StagingPaths(output: output)
        self.options = options
        backgroundSync = BackgroundSync(syncFile: options.backgroundFileSync)
        guard !paths.anyExists else { throw .setExists(output) }
        do {
            mdat = try FileDescriptor.open(paths.mdat, [.writeOnly, .create, .exclusive])
        } catch {
            throw error.errno == EEXIST ? .setExists(output) : .system(error)
        }
        let locked: Bool
        do {
            locked = try mdat.tryLockExclusive()
        } catch {
            try? mdat.close()
            try? FileSystem.remove(paths.mdat)
            throw .system(error)
        }
        guard locked else {
            try? mdat.close()
            throw .lockedByAnotherProcess(output)
        }
        var random = SystemRandomNumberGenerator()
        info = StagingInfo(setID: random.next(), creationTime: options.creationTime, winQtCompat: options.winQtCompat)
        pendingPayloads.reserveCapacity(FileDescriptor.maxPartsPerWrite)
        do {
            try writeInfo()
        } catch {
            // Nothing was recorded yet: leave no half-made set behind.
            isOpen = false
            try? mdat.close()
            try? FileSystem.remove(paths.mdat)
            throw error
        }
    }

    deinit {
        // Not closed: behave like a crash that had time to flush, keeping what was appended.
        if isOpen {
            if failure == nil { try? flush() }
            backgroundSync.waitUntilIdle()
            try? mdat.close()
            for state in tracks.values { try? state.file.close() }
        }
    }

    /// Adds a track; its file gets the header and an 'sdsc' unit per description.
    public func addTrack(_ description: TrackDescription) throws(StagingError) {
        guard isOpen else { throw .closed }
        if let failure { throw failure }
        guard tracks[description.trackID] == nil else { throw .duplicateTrack(description.trackID) }
        guard tracks.count < StagingFormat.maxTracks else { throw .tooManyTracks(tracks.count + 1) }
        guard !description.sampleDescriptions.isEmpty, description.timescale > 0 else {
            throw .malformed(path: paths.track(description.trackID), reason: "a track needs a sample description and a timescale")
        }
        guard description.sampleDescriptions.allSatisfy({ StagingFormat.storableCodecs.contains($0.codec) }) else {
            throw .malformed(path: paths.track(description.trackID), reason: "codec \(description.codec) cannot be recorded to MP4 yet")
        }
        let file: FileDescriptor
        do {
            file = try FileDescriptor.open(paths.track(description.trackID), [.writeOnly, .create, .exclusive])
        } catch {
            throw .system(error)
        }
        let state = TrackState(description: description, file: file)
        let header = StagingTrackHeader(trackID: description.trackID, codec: description.codec,
                                        timescale: description.timescale, creationTime: info.creationTime,
                                        setID: info.setID)
        state.buffer = header.encoded()
        for (i, d) in description.sampleDescriptions.enumerated() {
            Self.appendDescriptionUnit(d, index: UInt16(i + 1), dts: 0, to: &state.buffer)
        }
        tracks[description.trackID] = state
        trackOrder.append(description.trackID)
        // The header reaches the kernel now, so the track is recoverable from its file alone.
        try flush()
        updateInfoInBackground()
    }

    /// Adds a sample description to a track mid-stream (a new SPS, another resolution) and
    /// returns its 1-based index for the frames that use it.
    @discardableResult
    public func addSampleDescription(_ description: SampleDescription, toTrack trackID: UInt32) throws(StagingError) -> UInt16 {
        guard isOpen else { throw .closed }
        if let failure { throw failure }
        guard let state = tracks[trackID] else { throw .unknownTrack(trackID) }
        state.description.sampleDescriptions.append(description)
        let index = UInt16(state.description.sampleDescriptions.count)
        Self.appendDescriptionUnit(description, index: index, dts: state.lastDTS ?? 0, to: &state.buffer)
        updateInfoInBackground()
        return index
    }

    /// Records where presentation of a track ends (an edit list's end in the source).
    public func setPresentationEnd(_ pts: Int64, forTrack trackID: UInt32) throws(StagingError) {
        guard let state = tracks[trackID] else { throw .unknownTrack(trackID) }
        state.presentationEnd = pts
    }

    /// Appends one sample. Its dts must not go back in time within its track.
    public func append(_ frame: MediaFrame) throws(StagingError) {
        guard isOpen else { throw .closed }
        if let failure { throw failure }
        guard let state = tracks[frame.trackID] else { throw .unknownTrack(frame.trackID) }
        if let last = state.lastDTS, frame.dts < last {
            throw .timestampWentBackwards(track: frame.trackID, previous: last, got: frame.dts)
        }
        guard frame.payload.count <= StagingFormat.maxSampleSize else {
            throw .sampleTooLarge(track: frame.trackID, size: frame.payload.count)
        }
        guard frame.sampleDescriptionIndex >= 1,
              Int(frame.sampleDescriptionIndex) <= state.description.sampleDescriptions.count else {
            throw .invalidSampleDescriptionIndex(track: frame.trackID, index: frame.sampleDescriptionIndex)
        }
        let record = StagingRecord(offset: mdatEnd, size: UInt32(frame.payload.count), dts: frame.dts,
                                   compositionOffset: Int32(clamping: frame.compositionOffset),
                                   flags: frame.isKeyframe ? StagingRecord.syncFlag : 0,
                                   sampleDescriptionIndex: frame.sampleDescriptionIndex,
                                   payloadCRC: CRC32C.checksum(frame.payload))
        pendingPayloads.append(frame.payload)
        pendingPayloadBytes += frame.payload.count
        mdatEnd += UInt64(frame.payload.count)
        record.encode(into: &state.buffer)
        state.lastDTS = frame.dts
        state.sampleCount += 1

        let seconds = Double(frame.dts) / Double(state.description.timescale)
        mediaTime = max(mediaTime, seconds)
        let now = monotonicNow()
        if mediaTime - lastFlushTime >= options.flushInterval || now - lastWallFlush >= options.wallFlushInterval
            || pendingPayloadBytes >= options.maxBufferedBytes || pendingPayloads.count >= FileDescriptor.maxPartsPerWrite {
            try flush()
            lastFlushTime = mediaTime
            lastWallFlush = now
        }
        if let interval = options.syncInterval, lastWallFlush == now {
            // Checked only right after a flush, so every byte so far is with the kernel.
            if now - lastSyncTime >= interval,
               backgroundSync.start(mdat: mdat, tracks: trackOrder.map { tracks[$0]!.file },
                                    mdatSyncedEnd: Int64(mdatEnd)) {
                lastSyncTime = now
                writebackStarted = mdatEnd
            }
        }
        if let step = options.writebackBytes, lastWallFlush == now, mdatEnd - writebackStarted >= UInt64(step),
           backgroundSync.startWriteback(mdat: mdat, offset: Int64(writebackStarted), end: Int64(mdatEnd)) {
            writebackStarted = mdatEnd
        }
    }

    /// Hands every buffered byte to the kernel: payloads first, then the records.
    public func flush() throws(StagingError) {
        if failure == nil, let error = backgroundSync.failure {
            // After a failed fsync the page cache's state is unknown: stop here.
            failure = .system(error)
        }
        if let failure { throw failure }
        do {
            if !pendingPayloads.isEmpty {
                try mdat.writeAll(gathering: pendingPayloads)
                pendingPayloads.removeAll(keepingCapacity: true)
                pendingPayloadBytes = 0
            }
            for id in trackOrder {
                let state = tracks[id]!
                guard !state.buffer.isEmpty else { continue }
                try state.file.writeAll(state.buffer)
                state.buffer.removeAll(keepingCapacity: true)
            }
        } catch {
            failure = .system(error)
            throw .system(error)
        }
    }

    /// Flushes, then makes the data durable: .mdat before the track files, so that records
    /// that survive a power cut point at payloads that survived it too (when the disk keeps
    /// write order; the payload checksum catches it when it does not).
    /// Blocks until done; the periodic syncs while recording run in the background instead
    /// (`BackgroundSync`).
    public func sync() throws(StagingError) {
        backgroundSync.waitUntilIdle()
        try flush()
        do {
            try mdat.dataSync()
            for id in trackOrder { try tracks[id]!.file.dataSync() }
        } catch {
            // After a failed fsync the page cache's state is unknown: stop here.
            failure = .system(error)
            throw .system(error)
        }
    }

    /// Flushes, syncs, records the final counts in .info (closed cleanly) and releases the lock.
    public func close() throws(StagingError) {
        guard isOpen else { return }
        do throws(StagingError) {
            if let failure { throw failure }
            try sync()
            info.closedCleanly = true
            info.mdatSize = mdatEnd
            try writeInfo(durable: true)
        } catch {
            // The set stays as an unclosed one, its lock released: mp4writer --recovery (or
            // the next start's batch) finalizes what reached the disk.
            isOpen = false
            backgroundSync.waitUntilIdle()
            for id in trackOrder { try? tracks[id]!.file.close() }
            try? mdat.close()
            throw error
        }
        isOpen = false
        do {
            for id in trackOrder { try tracks[id]!.file.close() }
            try mdat.close()
        } catch {
            throw .system(error)
        }
    }

    /// Samples appended to a track so far.
    public func sampleCount(ofTrack trackID: UInt32) -> UInt64 { tracks[trackID]?.sampleCount ?? 0 }

    /// Bytes of payload appended so far (the size .mdat will have).
    public var mdatByteCount: UInt64 { mdatEnd }

    /// Replaces .info atomically. Durable (fsync'd) only at close, for the closed flag and
    /// final counts: while recording, what .info says is also in the track files (a lost or
    /// stale .info costs nothing, docs/recovery.md), and an fsync there would make the stream
    /// wait for the disk: seconds when another process is writing gigabytes to it.
    private func writeInfo(durable: Bool = false) throws(StagingError) {
        updateInfoTracks()
        do {
            try FileSystem.writeAtomically(info.encoded(), to: paths.info, durable: durable)
        } catch {
            throw .system(error)
        }
    }

    /// Replaces .info with the current tracks on the background queue, behind any sync.
    /// Replacing a file by rename can wait for the disk (ext4 starts writing the new file's
    /// data, and the rename queues behind the journal): under another process's bulk writes a
    /// rename took 0.56 s, and done here it held up the stream just as a recording started
    /// (docs/reliability.md). Nothing depends on it: the track files hold the same facts.
    private func updateInfoInBackground() {
        updateInfoTracks()
        backgroundSync.replaceInfo(with: info.encoded(), at: paths.info)
    }

    private func updateInfoTracks() {
        info.tracks = trackOrder.map { id in
            let s = tracks[id]!
            return StagingInfo.Track(description: s.description, sampleCount: s.sampleCount, presentationEnd: s.presentationEnd)
        }
    }

    /// An 'sdsc' unit followed by the description body, zero-padded to whole units.
    static func appendDescriptionUnit(_ description: SampleDescription, index: UInt16, dts: Int64, to buffer: inout [UInt8]) {
        let body = description.stagingEncoded()
        let head = StagingRecord(tag: StagingFormat.descriptionTag, offset: 0, size: UInt32(body.count), dts: dts,
                                 compositionOffset: 0, flags: 0, sampleDescriptionIndex: index,
                                 payloadCRC: CRC32C.checksum(body))
        head.encode(into: &buffer)
        buffer.append(contentsOf: body)
        let padding = (StagingFormat.unitSize - body.count % StagingFormat.unitSize) % StagingFormat.unitSize
        buffer.append(contentsOf: repeatElement(0, count: padding))
    }
}

/// Seconds on the monotonic clock.
func monotonicNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
