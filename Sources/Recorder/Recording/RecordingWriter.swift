import Dispatch
import MediaCore
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
/// A live stream's jobs are not handed to the queue one by one: they wait in a list that one
/// drain empties in order, scheduled `drainDelay` after the first job of a batch, at once when
/// the batch passes `drainBytes` (or a thread waits for room), and at once for every job that
/// is not a frame (a chunk's open, description or close), so a live stream wakes the writer a
/// few times a second instead of once per frame (issue 12). Jobs keep their exact order.
///
/// The same drains hand the chunk writers' buffers to the kernel, so there is one timer, not
/// two: a job that leaves bytes in a chunk writer's memory asks for a flush at the end of its
/// batch (`flushAtEndOfBatch`), and the flush runs when the drain has emptied the list (the
/// writer has caught up), or after the batch when `drainDelay` has passed since flushes last
/// ran (a writer that stays behind). A live stream's frame thus reaches the kernel at most
/// about `drainDelay` plus one batch after it was queued, whatever follows it, with one flush
/// per chunk per drain: a burst's tail is not left in user space until the next burst.
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
        /// How long a frame may wait in memory before its batch is drained: 50 ms of a live
        /// stream is a few frames; the frames reach the page cache 50 ms later, well inside the
        /// staging writer's sync cadence (what a crash keeps is what was synced). Zero drains
        /// every job at once (a file recording, which reads as fast as the disk allows).
        public var drainDelay: Duration = .milliseconds(50)
        /// A live stream whose delivering thread hands over its frames in batches (those of
        /// one socket read, already gathered in the kernel for up to `RTMPIngest.batchHold`)
        /// and ends each with `batchDelivered()`: its frames wait for that instead of the
        /// `drainDelay` timer, so the writer wakes once per read and no timer runs (a GCD
        /// timer wakes two threads: its manager's, then the queue's).
        public var drainsWhenBatchDelivered = false
        /// Media bytes that make a batch drain at once (a fast push batches by size).
        public var drainBytes = 256 << 10
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
        /// Jobs submitted and not yet taken by a drain, in order.
        var pending: [Job] = []
        var pendingBytes = 0
        /// A drain is queued to run at once / after `drainDelay`.
        var drainQueued = false
        var drainTimerSet = false
        /// Flushes asked for by the jobs of the running drain (`flushAtEndOfBatch`), in order.
        var flushes: [@Sendable () throws -> Void] = []
        /// When the flushes last ran (on the writer queue).
        var flushedAt = ContinuousClock.now
    }

    private struct Job {
        let bytes: Int
        let always: Bool
        let run: @Sendable () throws -> Void
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
            // The frames that fill the queue may still wait for a timed drain.
            drainNow()
            let left = deadline - ContinuousClock.now
            guard left > .zero else {
                state.withLock { $0.waiting = false }
                return false
            }
            // A signal left over from an earlier wait only makes the loop look again.
            _ = roomFreed.wait(timeout: .now() + .nanoseconds(left.waitNanoseconds))
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
        // A file is read as fast as the disk allows: nothing to coalesce there.
        let delay = options.whenFull == .wait ? .zero : options.drainDelay
        let batchLimit = min(options.drainBytes, options.queueLimitBytes / 2)
        let schedule = state.withLock { s -> (now: Bool, timer: Bool) in
            s.queuedBytes += bytes
            s.peakQueuedBytes = max(s.peakQueuedBytes, s.queuedBytes)
            s.pending.append(Job(bytes: bytes, always: always, run: job))
            s.pendingBytes += bytes
            // Anything but a frame (open, description, close) drains at once, as does a full batch.
            if bytes == 0 || delay <= .zero || s.pendingBytes >= batchLimit || s.waiting {
                defer { s.drainQueued = true }
                return (!s.drainQueued, false)
            }
            if s.drainQueued || s.drainTimerSet || options.drainsWhenBatchDelivered { return (false, false) }
            s.drainTimerSet = true
            return (false, true)
        }
        if schedule.now {
            queue.async { [self] in drain() }
        } else if schedule.timer {
            let (seconds, attoseconds) = delay.components
            let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
            queue.asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [self] in drain() }
        }
    }

    /// The delivering thread has handed over a batch (`Options.drainsWhenBatchDelivered`):
    /// what it queued is drained now.
    func batchDelivered() {
        drainNow()
    }

    /// Has the pending jobs drained at once (a waiting thread needs their room).
    private func drainNow() {
        let schedule = state.withLock { s -> Bool in
            if s.drainQueued || s.pending.isEmpty { return false }
            s.drainQueued = true
            return true
        }
        if schedule { queue.async { [self] in drain() } }
    }

    /// Runs every pending job in order; on the writer queue only. A job submitted while the
    /// batch runs is taken by the next turn of the loop, so none waits for a timer it missed.
    /// Each batch ends with the flushes its jobs asked for, when the drain is about to end or
    /// `drainDelay` has passed since they last ran (see the type's comment).
    private func drain(flushingAll: Bool = false) {
        // A file recording drains at once, often a frame at a time: flushing each drain would
        // be a write per frame, so it flushes every `drainDelay` (and at close) instead.
        let flushWhenCaughtUp = flushingAll || options.whenFull == .dropNewest
        while true {
            let batch = state.withLock { s -> [Job] in
                let batch = s.pending
                s.pending = []
                s.pendingBytes = 0
                return batch
            }
            for job in batch { run(job) }
            let flushes = state.withLock { s -> [@Sendable () throws -> Void] in
                let caughtUp = s.pending.isEmpty && flushWhenCaughtUp
                guard !s.flushes.isEmpty, caughtUp || ContinuousClock.now - s.flushedAt >= options.drainDelay else { return [] }
                defer { s.flushes = [] }
                return s.flushes
            }
            if !flushes.isEmpty {
                for flush in flushes { perform(flush, always: false) }
                state.withLock { $0.flushedAt = .now }
            }
            let ended = state.withLock { s -> Bool in
                guard s.pending.isEmpty else { return false }
                s.drainQueued = false
                s.drainTimerSet = false
                return true
            }
            if ended { return }
        }
    }

    /// On the writer queue only, from a running job: runs `flush` at the end of the job's
    /// batch (see the type's comment), in the order asked. A job that leaves bytes in a chunk
    /// writer's memory asks once per batch, not once per frame.
    func flushAtEndOfBatch(_ flush: @escaping @Sendable () throws -> Void) {
        state.withLock { $0.flushes.append(flush) }
    }

    private func run(_ job: Job) {
        options.beforeEachJob?()
        perform(job.run, always: job.always)
        let wake = state.withLock { s -> Bool in
            s.queuedBytes -= job.bytes
            defer { s.waiting = false }
            return s.waiting
        }
        if wake { roomFreed.signal() }
    }

    /// Runs `body` unless an earlier job failed (`always`: even then), keeping its failure.
    private func perform(_ body: () throws -> Void, always: Bool) {
        guard always || state.withLock({ $0.failure == nil }) else { return }
        do {
            try body()
        } catch {
            state.withLock { if $0.failure == nil { $0.failure = error } }
        }
    }

    /// Returns once every job queued before has run and handed its bytes to the kernel (the
    /// end of a recording; tests).
    func waitUntilIdle() {
        queue.sync { drain(flushingAll: true) }
    }
}
