import Containers
import Foundation
import MediaCore
import Operations
import Synchronization

/// An inbound stream while it is live: its tracks so far, its source, a byte counter for the
/// bitrate, and the recording sessions attached to it. Everything about one stream happens
/// under its own lock (`state`), so one stream's recordings never wait for another's.
///
/// Its sessions are made inside that lock (`attach`) and never leave it: a `RecordingSession`
/// is not Sendable, and the Mutex lets it be used only by the thread that holds the lock.
final class LiveStream: Sendable {
    let name: String
    let source: String
    let clientAddress: String?
    /// The ingest byte counter of the stream's protocol, resolved once (nil: no metrics).
    let ingestBytes: MetricsRegistry.CounterCell?
    /// TCP: its reader waits for room when the disk falls behind; UDP: frames drop at once.
    let transport: IngestTransport
    private let started = ContinuousClock.now

    struct State {
        /// Current track descriptions, every sample description seen so far included.
        private(set) var tracks: [UInt32: TrackDescription] = [:]
        private(set) var trackOrder: [UInt32] = []
        /// Streams of the source that cannot be recorded, as its reader reported them.
        private(set) var notRecorded: [UnrecordableTrack] = []
        /// Sessions by config id.
        private(set) var sessions: [Int: RecordingSession] = [:]
        /// When configs whose recording failed on this stream try again (nil: none waiting).
        var retryAt: ContinuousClock.Instant?
        fileprivate(set) var bytes: UInt64 = 0
        /// Unix seconds at tick 0 of the stream's timeline, by the source's clock (RTSP: the
        /// first RTCP sender report); given to sessions that start later.
        private(set) var wallClockOrigin: Double?
        /// Held only while no session is attached (PrerollBuffer).
        private var preroll = PrerollBuffer()

        /// The writers of the sessions that would wait for room before taking a frame of
        /// `bytes` (a full queue): the stream waits for them outside its lock.
        func writersToWaitFor(bytes: Int) -> [RecordingWriter] {
            sessions.values.compactMap { $0.writerToWaitFor(bytes: bytes) }
        }

        /// Applies an event to the stream's state and to every session; returns the sessions
        /// that failed on it (still attached: the caller ends them). `waited`: the writers whose
        /// wait for room for this frame is over (done outside the lock).
        mutating func deliver(_ event: DemuxEvent, waited: [RecordingWriter] = []) -> [(configId: Int, error: any Error)] {
            switch event {
            case .track(let track):
                if tracks[track.trackID] == nil { trackOrder.append(track.trackID) }
                tracks[track.trackID] = track
            case let .sampleDescription(trackID, index, description):
                if var track = tracks[trackID], Int(index) == track.sampleDescriptions.count + 1 {
                    track.sampleDescriptions.append(description)
                    tracks[trackID] = track
                }
            case .frame(let frame):
                bytes += UInt64(frame.payload.count)
                if sessions.isEmpty, let track = tracks[frame.trackID] {
                    preroll.append(frame, track: track, streamHasVideo: hasVideo)
                }
            case .unrecordable(let track):
                if !notRecorded.contains(track) { notRecorded.append(track) }
            case .metadata:
                if let origin = event.wallClockOrigin { wallClockOrigin = origin }
            case .discontinuity:
                break
            }
            var failed: [(configId: Int, error: any Error)] = []
            for (id, session) in sessions {
                do {
                    let roomWaited = waited.contains { $0 === session.recordingWriter }
                    try session.handle(event, roomWaited: roomWaited)
                } catch {
                    failed.append((id, error))
                }
            }
            return failed
        }

        /// A session starting mid-stream first learns the tracks as they are now, then gets the
        /// pre-roll (when no other session runs), so it starts at the latest keyframe.
        mutating func attach(_ session: RecordingSession, configId: Int) throws {
            for id in trackOrder {
                guard let track = tracks[id] else { continue }
                try session.handle(.track(track))
            }
            if let wallClockOrigin { try session.handle(.metadata([DemuxEvent.wallClockOriginKey: .number(wallClockOrigin)])) }
            for frame in preroll.frames { try session.handle(.frame(frame)) }
            preroll.removeAll()
            sessions[configId] = session
            session.recordingWriter.batchDelivered()
        }

        /// Each session's writer gets what this batch queued (RecordingWriter.batchDelivered).
        func batchDelivered() {
            for session in sessions.values { session.recordingWriter.batchDelivered() }
        }

        /// Takes a session off the stream (the caller finishes it).
        mutating func detach(_ configId: Int) -> RecordingSession? {
            sessions.removeValue(forKey: configId)
        }

        /// Takes every session off the stream, by config id.
        mutating func detachAll() -> [(configId: Int, session: RecordingSession)] {
            defer { sessions = [:] }
            return sessions.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }

        var hasVideo: Bool { tracks.values.contains { $0.kind == .video } }
        var hasAudio: Bool { tracks.values.contains { $0.kind == .audio } }
        /// The tracks in the order they were announced.
        var orderedTracks: [TrackDescription] { trackOrder.compactMap { tracks[$0] } }
        /// Frames held for a late record (tests and the memory figures).
        var prerollBytes: Int { preroll.bytes }
    }

    /// The stream's lock: taken by the thread that delivers its events (and by the engine
    /// when it attaches, finishes or reads sessions). Lock order: docs/architecture.md.
    let state = Mutex(State())
    /// The announced tracks, kept apart so that a session's `chunkCreated` (reported while the
    /// stream's lock is held) can read them: a leaf lock.
    let announcedTracks = Mutex<[TrackDescription]>([])

    init(name: String, source: String, clientAddress: String?, transport: IngestTransport = .tcp,
         ingestBytes: MetricsRegistry.CounterCell? = nil) {
        self.name = name
        self.source = source
        self.transport = transport
        self.clientAddress = clientAddress
        self.ingestBytes = ingestBytes
    }

    /// Takes the stream's lock and delivers one event (see `deliver(_:onFailure:)` for several).
    func deliver(_ event: DemuxEvent, onFailure: (Int, any Error, inout State) -> Void) {
        deliver(CollectionOfOne(event), onFailure: onFailure)
    }

    /// Takes the stream's lock once and delivers `events` in order (those of one socket read);
    /// `onFailure` gets each session that failed (see State.deliver).
    ///
    /// A frame that meets a full write queue is not waited for under the lock: the lock is let
    /// go, the thread waits for room (up to the writer's `backpressureTimeout`), then takes the
    /// lock again and goes on with that frame, which the session takes if it fits by then and
    /// else drops as its backlog policy says. So `listStreams` and the engine never wait behind
    /// a stalled disk. (Frames a session releases at once, its start gate's, still wait inside.)
    func deliver<Events: Collection<DemuxEvent>>(_ events: Events, onFailure: (Int, any Error, inout State) -> Void) {
        var next = events.startIndex
        var waited: (index: Events.Index, writers: [RecordingWriter])?
        while next != events.endIndex {
            let wait = state.withLock { state -> (writers: [RecordingWriter], bytes: Int)? in
                while next != events.endIndex {
                    let event = events[next]
                    let waitedHere = next == waited?.index ? waited!.writers : []
                    if waitedHere.isEmpty, case .frame(let frame) = event {
                        let full = state.writersToWaitFor(bytes: frame.payload.count)
                        if !full.isEmpty { return (full, frame.payload.count) }
                    }
                    for (id, error) in state.deliver(event, waited: waitedHere) { onFailure(id, error, &state) }
                    if case .track = event {
                        let ordered = state.orderedTracks
                        announcedTracks.withLock { $0 = ordered }
                    }
                    next = events.index(after: next)
                }
                // One hand-off to each recording's writer for the whole batch.
                state.batchDelivered()
                return nil
            }
            guard let wait else { return }
            for writer in wait.writers { _ = writer.waitForRoom(for: wait.bytes, timeout: writer.options.backpressureTimeout) }
            waited = (next, wait.writers)
        }
    }

    func snapshot() -> StreamSnapshot {
        let seconds = max(0.001, (ContinuousClock.now - started) / .seconds(1))
        return state.withLock { state in
            var video: String?, audio: String?
            for t in state.orderedTracks {
                guard let d = t.sampleDescriptions.last else { continue }
                if t.kind == .video { video = "\(d.codec) \(d.width)x\(d.height)" } else { audio = "\(d.codec) \(d.sampleRate) Hz \(d.channelCount) ch" }
            }
            var snapshot = StreamSnapshot(localStreamName: name, source: source, clientAddress: clientAddress, video: video, audio: audio,
                                          bitrateKbps: Int(Double(state.bytes) * 8 / seconds / 1000), active: true)
            snapshot.notRecorded = state.notRecorded.map(\.description)
            return snapshot
        }
    }
}
