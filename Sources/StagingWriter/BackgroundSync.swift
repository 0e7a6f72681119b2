import Dispatch
import MediaCore
import Synchronization

/// The periodic fdatasync of a staging set, and the rewrites of its .info while recording,
/// run off the recording path.
///
/// An fdatasync waits for the disk, and on a busy disk (another process writing gigabytes) that
/// can take seconds. Run inline, it held up the writer, and with it the thread that reads the
/// stream: what arrived meanwhile stayed in memory, and a kill -9 then lost seconds instead of a
/// quarter of one (the RTMP crash trials measured up to 5.8 s). Here the writer only starts a
/// sync; a serial queue runs it while the writer goes on handing bytes to the kernel. A sync
/// still running when the next is due is not doubled up. A failure is kept for the writer to
/// throw at its next call (after a failed fsync the page cache's state is unknown: stop).
///
/// Order within a sync: .mdat, then the track files, as `StagingWriter.sync()`. Records written
/// while the sync runs may reach the disk before their payload does; after a power cut the
/// payload checksum catches exactly those (docs/staging-format.md).
final class BackgroundSync: Sendable {
    private struct State {
        var running = false
        var failure: SystemError?
        /// .mdat below this offset was dropped from the page cache.
        var droppedCacheEnd: Int64 = 0
        /// A writeback start is queued and not yet run.
        var writebackQueued = false
    }

    private let queue = DispatchQueue(label: "staging-sync")
    private let state = Mutex(State())
    /// fdatasync; tests put a slow or failing one here.
    private let syncFile: @Sendable (FileDescriptor) throws(SystemError) -> Void

    init(syncFile: @escaping @Sendable (FileDescriptor) throws(SystemError) -> Void = { file throws(SystemError) in try file.dataSync() }) {
        self.syncFile = syncFile
    }

    /// Starts syncing `mdat` then `tracks`, unless a sync is still running (returns false).
    /// `mdatSyncedEnd`: the bytes of .mdat handed to the kernel before this call, which are
    /// the ones this sync makes durable and may then drop from the page cache.
    func start(mdat: FileDescriptor, tracks: [FileDescriptor], mdatSyncedEnd: Int64) -> Bool {
        let started = state.withLock { state -> Bool in
            guard !state.running else { return false }
            state.running = true
            return true
        }
        guard started else { return false }
        queue.async { [self] in
            var failure: SystemError?
            do throws(SystemError) {
                try syncFile(mdat)
                for file in tracks { try syncFile(file) }
            } catch {
                failure = error
            }
            let dropFrom = state.withLock { $0.droppedCacheEnd }
            if failure == nil {
                // The payload is never read back while recording, and pages left in the cache
                // make mp4writer's in-place insert slow (it must free every cached page of
                // .mdat, about 70 ms per GiB): drop those now on disk.
                mdat.dropCachedPages(offset: dropFrom, length: max(0, mdatSyncedEnd - dropFrom))
            }
            state.withLock { state in
                if failure == nil { state.droppedCacheEnd = max(state.droppedCacheEnd, mdatSyncedEnd - mdatSyncedEnd % 4096) }
                if state.failure == nil { state.failure = failure }
                state.running = false
            }
        }
        return true
    }

    /// Starts the disk writing .mdat's `offset..<end` on the queue, without waiting for it
    /// (`sync_file_range` WRITE), unless a start is still queued (returns false). A fast
    /// recording's payload then goes to the disk while it arrives instead of waiting in the
    /// page cache for the next fdatasync: the syncs, the close's above all, find little left
    /// to write. Not a durability point, and nothing depends on it (a failure is ignored: the
    /// next fdatasync reports the disk's errors).
    func startWriteback(mdat: FileDescriptor, offset: Int64, end: Int64) -> Bool {
        let queued = state.withLock { state -> Bool in
            guard !state.writebackQueued else { return false }
            state.writebackQueued = true
            return true
        }
        guard queued else { return false }
        queue.async { [self] in
            state.withLock { $0.writebackQueued = false }
            try? mdat.startWriteback(offset: offset, length: end - offset)
        }
        return true
    }

    /// Replaces .info with `bytes` (not durably) on the queue, in call order and after any
    /// sync started before. A failure is not kept: .info while recording is a convenience
    /// (the track files say the same), and the close writes it durably, inline, and throws.
    func replaceInfo(with bytes: [UInt8], at path: String) {
        queue.async {
            try? FileSystem.writeAtomically(bytes, to: path, durable: false)
        }
    }

    /// The failure of a background sync, if one failed.
    var failure: SystemError? { state.withLock { $0.failure } }

    /// Returns once no sync is running (before the files are synced inline or closed).
    func waitUntilIdle() {
        queue.sync {}
    }
}
