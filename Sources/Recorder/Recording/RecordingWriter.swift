import Dispatch
import Synchronization

/// The disk side of one recording: every file operation of its chunks (make the folder,
/// create the files, write, sync, rename, close) runs in order on a serial queue of its own,
/// so the thread that reads the stream's socket never waits for the disk.
///
/// The queue is bounded in media bytes. When the disk stalls and the queue is full, a live
/// recording drops frames from the newest side (`BacklogGate` decides which, the session
/// reports them as `framesDropped`): memory stays bounded and the frames already queued
/// reach the file. A recording of a file (`recorder record --input FILE`) waits for room
/// instead, since nothing is lost by reading the file more slowly.
///
/// The first job that fails (a full disk, an I/O error) is kept and thrown to the session at
/// its next call; later media jobs are skipped, but closing jobs still run so that the files
/// are closed and their locks released.
public final class RecordingWriter: Sendable {
    public enum WhenFull: Sendable {
        /// A live stream: the session drops frames until the queue has room and a keyframe comes.
        case dropNewest
        /// A file: the caller waits until the queue has drained.
        case wait
    }

    public struct Options: Sendable {
        /// Media bytes queued for the disk, at most (one frame larger than this is still taken
        /// when nothing is queued): 8 MiB is 4 s of a 16 Mbps stream, several times the
        /// longest stall measured under another process's bulk writes (a 0.56 s rename).
        public var queueLimitBytes = 8 << 20
        public var whenFull = WhenFull.dropNewest
        /// Test hook: runs on the writer queue before each job (a slow or stalled disk).
        public var beforeEachJob: (@Sendable () -> Void)?
        public init() {}
    }

    private struct State {
        var queuedBytes = 0
        var peakQueuedBytes = 0
        var failure: (any Error)?
    }

    public let options: Options
    private let queue = DispatchQueue(label: "recording-writer")
    private let state = Mutex(State())

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Whether a frame of `bytes` fits in the queue now.
    func hasRoom(for bytes: Int) -> Bool {
        state.withLock { $0.queuedBytes == 0 || $0.queuedBytes + bytes <= options.queueLimitBytes }
    }

    /// Media bytes queued and not yet handed to the kernel.
    var queuedBytes: Int { state.withLock { $0.queuedBytes } }
    /// The most media bytes ever queued at once (tests check the bound).
    var peakQueuedBytes: Int { state.withLock { $0.peakQueuedBytes } }

    /// The first job failure, thrown to the caller; nil while every job succeeded.
    func throwIfFailed() throws {
        if let failure = state.withLock({ $0.failure }) { throw failure }
    }

    /// Queues `job` carrying `bytes` of media. `always`: run it even after a failure (closing).
    func submit(bytes: Int = 0, always: Bool = false, _ job: @escaping @Sendable () throws -> Void) {
        if options.whenFull == .wait, bytes > 0, !hasRoom(for: bytes) { waitUntilIdle() }
        state.withLock {
            $0.queuedBytes += bytes
            $0.peakQueuedBytes = max($0.peakQueuedBytes, $0.queuedBytes)
        }
        queue.async { [self] in run(job, bytes: bytes, always: always) }
    }

    /// Queues `job` `seconds` from now, behind whatever is queued by then (a deadline: the
    /// session's flush of a chunk's buffers). It carries no media bytes.
    func submit(after seconds: Double, _ job: @escaping @Sendable () throws -> Void) {
        queue.asyncAfter(deadline: .now() + seconds) { [self] in run(job, bytes: 0, always: false) }
    }

    private func run(_ job: () throws -> Void, bytes: Int, always: Bool) {
        options.beforeEachJob?()
        if always || state.withLock({ $0.failure == nil }) {
            do {
                try job()
            } catch {
                state.withLock { if $0.failure == nil { $0.failure = error } }
            }
        }
        state.withLock { $0.queuedBytes -= bytes }
    }

    /// Returns once every job queued before has run (the end of a recording; tests).
    func waitUntilIdle() {
        queue.sync {}
    }
}
