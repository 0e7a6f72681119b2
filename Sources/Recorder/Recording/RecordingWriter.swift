import Dispatch
import Synchronization

/// The disk side of one recording: every file operation of its chunks (make the folder,
/// create the files, write, sync, rename, close) runs in order on a serial queue of its own,
/// so the thread that reads the stream's socket never does disk I/O.
///
/// The queue is bounded in media bytes. When it is full, a live recording first waits for room
/// up to `backpressureTimeout` (the thread that reads a TCP publisher stops reading, so TCP's
/// flow control slows the publisher to the disk's pace: an as-fast-as-possible push is
/// recorded whole); a disk still stalled after that makes the session drop frames from the
/// newest side (`BacklogGate` decides which, the session reports them as `framesDropped`):
/// memory stays bounded and the frames already queued reach the file. A source that cannot be
/// slowed (UDP) has a timeout of zero: it drops at once, as a blocked receive loop would lose
/// datagrams anyway, and at random. A recording of a file (`recorder record --input FILE`)
/// waits for room with no time bound, since nothing is lost by reading the file more slowly.
///
/// The first job that fails (a full disk, an I/O error) is kept and thrown to the session at
/// its next call; later media jobs are skipped, but closing jobs still run so that the files
/// are closed and their locks released.
public final class RecordingWriter: Sendable {
    public enum WhenFull: Sendable {
        /// A live stream: wait up to `backpressureTimeout` for room, then the session drops
        /// frames until the queue has room and a keyframe comes.
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
        /// How long a live recording's delivering thread waits for room in a full queue before
        /// frames are dropped: long enough to ride out a slow fsync or rename (0.56 s measured
        /// under bulk writes), short enough that a stalled disk does not hold the publisher
        /// (and the stream's lock) for long. Zero for a source that cannot be slowed (UDP).
        public var backpressureTimeout: Duration = .seconds(2)
        /// Test hook: runs on the writer queue before each job (a slow or stalled disk).
        public var beforeEachJob: (@Sendable () -> Void)?
        public init() {}
    }

    private struct State {
        var queuedBytes = 0
        var peakQueuedBytes = 0
        var failure: (any Error)?
        /// A thread waits in `waitForRoom` for a job to finish.
        var waiting = false
    }

    public let options: Options
    private let queue = DispatchQueue(label: "recording-writer")
    private let state = Mutex(State())
    /// Signalled when a job finishes while a thread waits for room.
    private let roomFreed = DispatchSemaphore(value: 0)

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Whether a frame of `bytes` fits in the queue now.
    func hasRoom(for bytes: Int) -> Bool {
        state.withLock { Self.fits(bytes, $0, limit: options.queueLimitBytes) }
    }

    private static func fits(_ bytes: Int, _ state: State, limit: Int) -> Bool {
        state.queuedBytes == 0 || state.queuedBytes + bytes <= limit
    }

    /// Whether a frame of `bytes` fits, waiting for the writer to make room for at most
    /// `timeout` (on the continuous clock). Called by the one thread that delivers the stream.
    func waitForRoom(for bytes: Int, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            let room = state.withLock { s -> Bool in
                if Self.fits(bytes, s, limit: options.queueLimitBytes) { return true }
                s.waiting = true
                return false
            }
            if room { return true }
            let left = deadline - ContinuousClock.now
            guard left > .zero else {
                state.withLock { $0.waiting = false }
                return false
            }
            let (seconds, attoseconds) = left.components
            let nanoseconds = Int(min(seconds, 3600)) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
            // A signal left over from an earlier wait only makes the loop look again.
            _ = roomFreed.wait(timeout: .now() + .nanoseconds(nanoseconds))
        }
    }

    /// Whether the session may queue a frame of `bytes` now: for a file, always (`submit`
    /// waits); for a live stream, when it fits, after waiting up to `backpressureTimeout`
    /// unless `dropping` (a stretch is being dropped already: the disk is known to be stalled,
    /// so the next keyframe is taken only if it fits at once).
    func admits(bytes: Int, dropping: Bool) -> Bool {
        if options.whenFull == .wait { return true }
        return dropping ? hasRoom(for: bytes) : waitForRoom(for: bytes, timeout: options.backpressureTimeout)
    }

    /// Whether media other than the running job's `bytes` is queued (the job's own bytes are
    /// counted until it ends): the writer is behind, and may batch.
    func hasMediaQueued(besides bytes: Int) -> Bool {
        state.withLock { $0.queuedBytes > bytes }
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
        let wake = state.withLock { s -> Bool in
            s.queuedBytes -= bytes
            defer { s.waiting = false }
            return s.waiting
        }
        if wake { roomFreed.signal() }
    }

    /// Returns once every job queued before has run (the end of a recording; tests).
    func waitUntilIdle() {
        queue.sync {}
    }
}
