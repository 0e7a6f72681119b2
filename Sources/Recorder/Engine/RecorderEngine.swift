import Containers
import Foundation
import MediaCore
import Operations
import Synchronization

/// The recording engine behind the API: record configs (persisted), live streams (from
/// RTMP publishers and MPEG-TS listeners), and a recording session per config and stream.
///
/// A config names a stream that may not exist yet; when a stream of that name starts, a
/// session starts for every config waiting for it. keepAlive=1 starts again each time the
/// stream comes back; keepAlive=0 records once, then the config ends. MP4 chunks are
/// finalized by mp4writer processes in a bounded pool, off the ingest path.
public final class RecorderEngine: RecorderControl, PullControl, Sendable {
    public struct Options: Sendable {
        public var mp4writerPath: String
        public var finalizeConcurrency = 2
        public var silenceTimeout: Double = 10
        public var eventURL: String?
        public var eventCommand: String?
        /// Who may publish (keys, callback, address rules); open by default.
        public var publishPolicy = PublishPolicy()
        /// Each recording's write queue: its bound, and a hook for tests that stall the disk.
        public var recordingWriter = RecordingWriter.Options()
        public init(mp4writerPath: String) { self.mp4writerPath = mp4writerPath }
    }

    private struct ConfigState {
        var parameters: RecordParameters
        var state = RecordConfigState.waiting
        var files: [String] = []
        var lastError: String?
        var recordedOnce = false
    }

    public let options: Options
    public let pool: FinalizerPool
    private let store: ConfigStore?
    private let log: @Sendable (String) -> Void
    public let events: EventPublisher
    /// Every ingest asks it before a stream is created (RecorderEngine+Publishing.swift).
    public let publishing: PublishAuthorizer
    /// What the engine's lock guards (docs/architecture.md: taken after a stream's lock,
    /// never before it).
    private struct Registry {
        var configs: [Int: ConfigState] = [:]
        var nextLocalId = 1
        var streams: [String: LiveStream] = [:]
        var listeners: [String: TSListener] = [:]
        var pulls: [String: RTSPPull] = [:]
        /// Every pullStream (RTSP pulls and MPEG-TS listeners) by stream name, as
        /// listPullPushConfig shows them; numbered apart from record configs.
        var pullConfigs: [String: PullConfigSnapshot] = [:]
        var nextPullId = 1
        /// Roots whose filesystem is under the free-space floor, with why: configs writing
        /// there do not record until space returns.
        var pausedRoots: [String: String] = [:]
        var operations: RecorderOperations?
        /// shutdownStream calls waiting for a stream to end, by name (streamEnded wakes them).
        var endWaiters: [String: [DispatchSemaphore]] = [:]

        mutating func addPullConfig(_ name: String, uri: String, source: String, options: PullOptions) {
            pullConfigs[name] = PullConfigSnapshot(configId: nextPullId, localStreamName: name, uri: uri, source: source,
                                                   keepAlive: options.keepAlive, forceTcp: options.forceTcp, state: PullConfigState.connecting.rawValue)
            nextPullId += 1
        }
    }
    private let lock = Mutex(Registry())
    /// The catalog, metrics and retention (nil: none, as in tests of the engine alone). Set
    /// once, before the first stream.
    public var operations: RecorderOperations? {
        get { lock.withLock { $0.operations } }
        set {
            lock.withLock { $0.operations = newValue }
            connect(newValue)
        }
    }

    /// Loads the persisted configs from `store` (nil: in memory only).
    public init(options: Options, store: ConfigStore?, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.options = options
        self.store = store
        self.log = log
        events = EventPublisher(url: options.eventURL, command: options.eventCommand, log: log)
        publishing = PublishAuthorizer(policy: options.publishPolicy)
        pool = FinalizerPool(mp4writerPath: options.mp4writerPath, concurrency: options.finalizeConcurrency)
        for entry in store?.entries ?? [] {
            lock.withLock { r in
                r.configs[entry.configId] = ConfigState(parameters: entry.parameters)
                r.nextLocalId = max(r.nextLocalId, entry.configId + 1)
            }
        }
    }

    // MARK: RecorderControl

    public func record(_ parameters: RecordParameters) throws -> RecordConfigSnapshot {
        let id: Int
        if let store {
            do { id = try store.add(parameters).configId } catch { throw RecorderControlError("cannot save the config: \(error)") }
        } else {
            id = lock.withLock { r in defer { r.nextLocalId += 1 }; return r.nextLocalId }
        }
        lock.withLock { r in r.configs[id] = ConfigState(parameters: parameters) }
        events.publish("recordConfigAdded", ["configId": .int(id), "stream": .string(parameters.localStreamName),
                                             "pathToFile": .string(parameters.pathToFile), "type": .string(parameters.type.rawValue)])
        if let stream = lock.withLock({ r in r.streams[parameters.localStreamName] }) {
            startSession(configId: id, on: stream)
        }
        return snapshot(id)!
    }

    public func removeConfig(id: Int) throws -> RecordConfigSnapshot {
        guard let before = snapshot(id) else { throw RecorderControlError("no record config with id \(id)") }
        let streamName = before.parameters.localStreamName
        if let stream = lock.withLock({ r in r.streams[streamName] }) {
            stream.state.withLock { state in
                if let session = state.detach(id) { finish(session, configId: id) }
            }
        }
        _ = try? store?.remove(id: id)
        lock.withLock { r in _ = r.configs.removeValue(forKey: id) }
        events.publish("recordConfigRemoved", ["configId": .int(id), "stream": .string(streamName)])
        var snapshot = before
        snapshot.state = RecordConfigState.removed.rawValue
        return snapshot
    }

    public func listConfigs() -> [RecordConfigSnapshot] {
        let ids = lock.withLock { r in r.configs.keys.sorted() }
        return ids.compactMap { snapshot($0) }
    }

    public func listStreams() -> [StreamSnapshot] {
        let live = lock.withLock { r in Array(r.streams.values) }
        var result = live.map { stream in
            var snapshot = stream.snapshot()
            (snapshot.recordings, snapshot.lastError) = recordingProgress(of: stream)
            return snapshot
        }
        let listening = lock.withLock { r in r.listeners }
        for (name, listener) in listening where !result.contains(where: { $0.localStreamName == name }) {
            result.append(StreamSnapshot(localStreamName: name, source: listener.sourceName, active: false))
        }
        let pulling = lock.withLock { r in r.pulls }
        for (name, _) in pulling where !result.contains(where: { $0.localStreamName == name }) {
            result.append(StreamSnapshot(localStreamName: name, source: "rtsp", active: false))
        }
        return result.sorted { $0.localStreamName < $1.localStreamName }
    }

    public func pullStream(uri: String, localStreamName: String) throws -> StreamSnapshot {
        try pullStream(uri: uri, localStreamName: localStreamName, options: PullOptions())
    }

    public func pullStream(uri: String, localStreamName: String, options: PullOptions) throws -> StreamSnapshot {
        if uri.lowercased().hasPrefix("rtsp://") {
            let pull = RTSPPull(uri: uri, name: localStreamName, options: options, engine: self, silence: self.options.silenceTimeout,
                                onFinished: { [weak self] in self?.pullFinished($0) }, log: log)
            try lock.withLock { r in
                guard r.listeners[localStreamName] == nil, r.pulls[localStreamName] == nil else {
                    throw RecorderControlError("stream \(localStreamName) is already pulled")
                }
                r.pulls[localStreamName] = pull
                r.addPullConfig(localStreamName, uri: RTSPPull.withoutCredentials(uri), source: "rtsp", options: options)
            }
            pull.start()
            events.publish("pullStream", ["stream": .string(localStreamName), "uri": .string(RTSPPull.withoutCredentials(uri))])
            return StreamSnapshot(localStreamName: localStreamName, source: "rtsp", active: false)
        }
        let input = try StreamInput(parsing: uri)
        guard case .file = input else {
            let listener = TSListener(input: input, name: localStreamName, engine: self, silence: self.options.silenceTimeout)
            try lock.withLock { r in
                guard r.listeners[localStreamName] == nil else { throw RecorderControlError("stream \(localStreamName) already has a listener") }
                r.listeners[localStreamName] = listener
                r.addPullConfig(localStreamName, uri: uri, source: listener.sourceName, options: options)
            }
            do {
                try listener.start()
            } catch {
                lock.withLock { r in
                    r.listeners.removeValue(forKey: localStreamName)
                    r.pullConfigs.removeValue(forKey: localStreamName)
                }
                throw RecorderControlError("cannot listen on \(uri): \(error)")
            }
            events.publish("pullStream", ["stream": .string(localStreamName), "uri": .string(uri), "port": .int(Int(listener.port))])
            return StreamSnapshot(localStreamName: localStreamName, source: listener.sourceName, active: false)
        }
        throw RecorderControlError("uri must be udp://HOST:PORT or tcp://HOST:PORT, not \(uri)")
    }

    /// An RTSP pull that ended by itself (keepAlive=0): forgotten, so the name can be pulled again.
    func pullFinished(_ pull: RTSPPull) {
        lock.withLock { r in
            guard r.pulls[pull.name] === pull else { return }
            r.pulls.removeValue(forKey: pull.name)
            r.pullConfigs.removeValue(forKey: pull.name)
        }
    }

    public func shutdown() {
        let all = lock.withLock { r in Array(r.listeners.values) }
        all.forEach { $0.stop() }
        let cameras = lock.withLock { r in Array(r.pulls.values) }
        cameras.forEach { $0.stop() }
        let names = lock.withLock { r in Array(r.streams.keys) }
        for name in names { streamEnded(name) }
        pool.waitUntilIdle()
        events.publish("shutdown", [:])
        events.waitUntilIdle()
    }

    /// The port a pullStream listener is bound to (tests bind port 0).
    public func listenerPort(_ name: String) -> UInt16? {
        lock.withLock { r in r.listeners[name]?.port }
    }

    // MARK: Pulls (PullControl)

    public func listPullConfigs() -> [PullConfigSnapshot] {
        let names = lock.withLock { r in r.pullConfigs.keys.sorted() }
        return names.compactMap(pullSnapshot).sorted { $0.configId < $1.configId }
    }

    public func removePullConfig(_ selector: PullSelector) throws -> PullConfigSnapshot {
        let name: String? = lock.withLock { r in
            switch selector {
            case .localStreamName(let name): return r.pullConfigs[name] == nil ? nil : name
            case .configId(let id): return r.pullConfigs.first { $0.value.configId == id }?.key
            }
        }
        guard let name, var snapshot = pullSnapshot(name) else {
            switch selector {
            case .configId(let id): throw RecorderControlError("no pull with configId \(id)")
            case .localStreamName(let name): throw RecorderControlError("no pull of stream \(name)")
            }
        }
        stopPull(name)
        snapshot.state = PullConfigState.removed.rawValue
        events.publish("pullRemoved", ["stream": .string(name), "configId": .int(snapshot.configId)])
        return snapshot
    }

    public func shutdownStream(localStreamName name: String, permanently: Bool) throws -> PullConfigSnapshot {
        guard var snapshot = pullSnapshot(name) else {
            let live = lock.withLock { r in r.streams[name] != nil }
            throw RecorderControlError(live
                ? "stream \(name) is published, not pulled: only pulled streams can be shut down (a publisher ends its stream by disconnecting)"
                : "no pulled stream \(name)")
        }
        if permanently {
            stopPull(name)
            snapshot.state = PullConfigState.removed.rawValue
            events.publish("pullRemoved", ["stream": .string(name), "configId": .int(snapshot.configId)])
            return snapshot
        }
        if let pull = lock.withLock({ r in r.pulls[name] }) {
            // The connection ends (TEARDOWN, chunk closed) within a read wait; keepAlive connects again.
            pull.endConnection()
            waitForStreamEnd(name, timeout: RTSPPull.stopGrace)
        } else {
            // An MPEG-TS listener: the stream ends here; the next packet starts it again.
            streamEnded(name)
        }
        return pullSnapshot(name) ?? snapshot
    }

    /// Blocks until the live stream `name` has ended (streamEnded signals), at most `timeout`.
    private func waitForStreamEnd(_ name: String, timeout: Duration) {
        let ended = DispatchSemaphore(value: 0)
        let live = lock.withLock { r -> Bool in
            guard r.streams[name] != nil else { return false }
            r.endWaiters[name, default: []].append(ended)
            return true
        }
        guard live else { return }
        // DispatchTime is monotonic, as ContinuousClock: the bound holds across wall-clock changes.
        if ended.wait(timeout: .now() + .nanoseconds(timeout.waitNanoseconds)) == .timedOut {
            lock.withLock { r in r.endWaiters[name]?.removeAll { $0 === ended } }
        }
    }

    /// Stops the RTSP pull or MPEG-TS listener of `name`, ends its stream and forgets it.
    private func stopPull(_ name: String) {
        let (pull, listener) = lock.withLock { r -> (RTSPPull?, TSListener?) in
            r.pullConfigs.removeValue(forKey: name)
            return (r.pulls.removeValue(forKey: name), r.listeners.removeValue(forKey: name))
        }
        pull?.stop()
        listener?.stop()
        // A listener's stream (or a pull cut mid-write) ends here; a no-op when it has ended.
        streamEnded(name)
    }

    private func pullSnapshot(_ name: String) -> PullConfigSnapshot? {
        let (config, pull, live) = lock.withLock { r in (r.pullConfigs[name], r.pulls[name], r.streams[name] != nil) }
        guard var config else { return nil }
        config.state = (pull.map { PullConfigState($0.phase) } ?? (live ? .streaming : .listening)).rawValue
        return config
    }

    // MARK: Ingest

    /// The publish keys the record configs of `name` set (empty: none sets one).
    func publishKeys(for name: String) -> [String] {
        lock.withLock { r in r.configs.values.filter { $0.parameters.localStreamName == name }.compactMap(\.parameters.publishKey) }
    }

    /// A stream of this name starts. Refused when one is already live (a second publisher).
    public func streamStarted(_ name: String, source: String, clientAddress: String? = nil, transport: IngestTransport = .tcp) throws {
        let counter = operations?.ingestCounter(protocol: source)
        let stream = LiveStream(name: name, source: source, clientAddress: clientAddress, transport: transport, ingestBytes: counter)
        try lock.withLock { r in
            guard r.streams[name] == nil else { throw RecorderControlError("stream \(name) is already live") }
            r.streams[name] = stream
        }
        events.publish("streamCreated", ["stream": .string(name), "source": .string(source), "client": JSONValue(clientAddress)])
        let waiting = lock.withLock { r in r.configs.filter { $0.value.parameters.localStreamName == name && !( !$0.value.parameters.keepAlive && $0.value.recordedOnce) }.keys.sorted() }
        for id in waiting { startSession(configId: id, on: stream) }
    }

    /// Media of a live stream.
    public func streamEvent(_ name: String, _ event: DemuxEvent) {
        deliver(CollectionOfOne(event), to: name)
    }

    /// Media of a live stream that arrived together (one socket read): one lookup, one count,
    /// one turn of the stream's lock for all of them.
    public func streamEvents(_ name: String, _ events: [DemuxEvent]) {
        deliver(events, to: name)
    }

    private func deliver<Events: Collection<DemuxEvent>>(_ arrived: Events, to name: String) {
        guard let stream = lock.withLock({ r in r.streams[name] }) else { return }
        var bytes = 0
        for event in arrived {
            switch event {
            case .frame(let frame):
                bytes += frame.payload.count
            case .discontinuity(let jump):
                events.publish("timestampDiscontinuity", Self.fields(of: jump).merging(["stream": .string(name)]) { $1 })
            case .unrecordable(let track):
                events.publish("trackNotRecorded", ["stream": .string(name), "track": .string(track.name), "reason": .string(track.reason)])
            default:
                break
            }
        }
        stream.ingestBytes?.add(bytes)
        retryFailedSessions(on: stream)
        stream.deliver(arrived) { id, error, state in
            events.publish("recordChunkError", ["stream": .string(name), "configId": .int(id), "error": .string("\(error)")])
            // A session that failed (disk full, ...) ends; what it wrote is kept, and a new
            // recording is tried a little later (the disk may have room again by then).
            if let session = state.detach(id) { finish(session, configId: id, error: "\(error)") }
            state.retryAt = .now + .seconds(Self.retryDelay)
        }
    }

    /// A `timestampDiscontinuity` event's fields: the track, why, where the source's clock was
    /// expected (`from`) and where it went (`to`), and the offset now added (seconds).
    static func fields(of jump: TimestampDiscontinuity) -> [String: JSONValue] {
        ["track": .int(Int(jump.trackID)), "cause": .string(jump.cause.rawValue), "from": .double(jump.expectedSeconds),
         "to": .double(jump.foundSeconds), "offset": .double(jump.offsetSeconds)]
    }

    /// Seconds after a failed recording before the config records the live stream again.
    static let retryDelay = 5.0

    /// Configs of a live stream whose recording failed start again (at the latest keyframe)
    /// once `retryDelay` has passed; a new failure waits another delay.
    private func retryFailedSessions(on stream: LiveStream) {
        let due = stream.state.withLock { state -> Bool in
            guard let at = state.retryAt, ContinuousClock.now >= at else { return false }
            state.retryAt = nil
            return true
        }
        guard due else { return }
        let failed = lock.withLock { r in
            r.configs.filter { $0.value.parameters.localStreamName == stream.name && $0.value.state == .error }.keys.sorted()
        }
        for id in failed {
            events.publish("recordRetry", ["stream": .string(stream.name), "configId": .int(id)])
            startSession(configId: id, on: stream)
        }
    }

    /// The stream ended (publisher gone, silence): every session closes its file.
    public func streamEnded(_ name: String) {
        guard let stream = lock.withLock({ r in r.streams[name] }) else { return }
        stream.state.withLock { state in
            for (id, session) in state.detachAll() { finish(session, configId: id) }
        }
        // Gone from listStreams only once its files are closed (and MP4s queued to finalize).
        let waiters = lock.withLock { r in
            _ = r.streams.removeValue(forKey: name)
            return r.endWaiters.removeValue(forKey: name) ?? []
        }
        waiters.forEach { $0.signal() }
        events.publish("streamClosed", ["stream": .string(name)])
    }

    // MARK: Sessions

    private func startSession(configId id: Int, on stream: LiveStream) {
        guard let parameters = lock.withLock({ r in r.configs[id]?.parameters }) else { return }
        if let reason = pauseReason(for: parameters.pathToFile) {
            lock.withLock { r in
                r.configs[id]?.state = .paused
                r.configs[id]?.lastError = reason
            }
            return
        }
        let name = stream.name
        var writerOptions = options.recordingWriter
        // A UDP sender cannot be slowed: waiting would only make the kernel drop datagrams.
        if stream.transport == .udp { writerOptions.backpressureTimeout = .zero }
        // RTMP hands its frames over in read batches, each ended by LiveStream.deliver; the
        // others deliver a packet's events at a time, and their writers batch on the timer.
        writerOptions.drainsWhenBatchDelivered = stream.source == RTMPIngest.sourceName
        stream.state.withLock { state in
            // Made under the stream's lock, where it lives (LiveStream).
            let session = RecordingSession(parameters: parameters, resolvedPath: parameters.pathToFile, pool: pool,
                                           writerOptions: writerOptions,
                                           onEvent: { [weak self] event in self?.handle(event, configId: id, stream: name) })
            do {
                try state.attach(session, configId: id)
                lock.withLock { r in
                    r.configs[id]?.state = .recording
                    r.configs[id]?.recordedOnce = true
                }
            } catch {
                lock.withLock { r in r.configs[id]?.lastError = "\(error)" }
            }
        }
    }

    /// Called under the stream's lock.
    private func finish(_ session: RecordingSession, configId id: Int, error: String? = nil) {
        do {
            try session.finish()
        } catch {
            events.publish("recordChunkError", ["configId": .int(id), "error": .string("\(error)")])
        }
        lock.withLock { r in
            guard var config = r.configs[id] else { return }
            config.lastError = error ?? config.lastError
            if error != nil {
                config.state = .error
            } else {
                config.state = config.parameters.keepAlive ? .waiting : .finished
            }
            r.configs[id] = config
        }
        if !(lock.withLock { r in r.configs[id]?.parameters.keepAlive ?? true }) {
            // keepAlive=0: recorded once; the config ends (kept in memory for listConfig).
            _ = try? store?.remove(id: id)
        }
    }

    private func handle(_ event: RecordingEvent, configId id: Int, stream: String) {
        let base: [String: JSONValue] = ["stream": .string(stream), "configId": .int(id)]
        switch event {
        case .chunkCreated(let path):
            if let operations {
                // Called from the session, on the thread that holds the stream's lock.
                let tracks = lock.withLock { r in r.streams[stream] }.map { live in live.announcedTracks.withLock { $0 } } ?? []
                operations.chunkOpened(file: path, stream: stream, configId: id, tracks: tracks)
            }
            events.publish("recordChunkCreated", base.merging(["file": .string(path)]) { $1 })
        case .chunkClosed(let s):
            let type = lock.withLock { r -> RecordParameters.OutputType? in
                r.configs[id]?.files.append(s.path)
                return r.configs[id]?.parameters.type
            }
            operations?.chunkClosed(s, isMP4: (type ?? .mp4) == .mp4)
            func perTrack<T>(_ values: [UInt32: T], _ json: (T) -> JSONValue) -> JSONValue {
                .object(Dictionary(uniqueKeysWithValues: values.map { ("track\($0.key)", json($0.value)) }))
            }
            events.publish("recordChunkClosed", base.merging([
                "file": .string(s.path), "durationSeconds": .double(s.durationSeconds), "bytes": .int(Int(s.payloadBytes)),
                "samples": perTrack(s.samples) { .int($0) },
                "firstTimestamp": perTrack(s.firstTimestamp) { .double($0) },
                "lastTimestamp": perTrack(s.lastTimestamp) { .double($0) },
                "wallClockStart": .double(s.wallClockStart),
            ]) { $1 })
        case .chunkFinalized(let path):
            operations?.chunkFinalized(file: path)
            events.publish("recordChunkFinalized", base.merging(["file": .string(path)]) { $1 })
        case let .framesDropped(path, frames, bytes):
            operations?.framesDropped(frames)
            events.publish("framesDropped", base.merging(["file": .string(path), "frames": .int(frames), "bytes": .int(bytes),
                                                          "reason": .string("disk behind")]) { $1 })
        case .trackNotRecorded(let track):
            events.publish("trackNotRecorded", base.merging(["track": .string(track.name), "reason": .string(track.reason)]) { $1 })
        case let .chunkError(path, message):
            lock.withLock { r in r.configs[id]?.lastError = message }
            operations?.chunkFailed(file: path)
            events.publish("recordChunkError", base.merging(["file": .string(path), "error": .string(message)]) { $1 })
        }
    }

    // MARK: Operations (catalog, retention, storage floor)

    private func connect(_ operations: RecorderOperations?) {
        guard let operations else { return }
        operations.onDeleted = { [weak self] deletion in self?.publishDeletion(deletion.entry, reason: deletion.reason) }
        operations.onStorage = { [weak self] shortages in self?.storageChecked(shortages) }
    }

    /// Each config's own retention limits, by config id (retention asks at every check).
    public func retentionOverrides() -> [Int: RetentionPolicy] {
        lock.withLock { r in
            r.configs.compactMapValues { config in
                let p = config.parameters
                guard p.retentionAge != nil || p.retentionBytes != nil else { return nil }
                return RetentionPolicy(maxAgeSeconds: p.retentionAge.map(Double.init), maxBytes: p.retentionBytes.map(UInt64.init))
            }
        }
    }

    /// Why a config writing to `path` may not record now (its root is under the floor).
    private func pauseReason(for path: String) -> String? {
        lock.withLock { r in r.pausedRoots.first { PathPolicy.isInside(path, root: $0.key) }?.value }
    }

    /// After each retention check: roots that fell under the floor with nothing left to delete
    /// stop their recordings (each closes its file cleanly); roots back above it resume them.
    private func storageChecked(_ shortages: [RetentionPlan.Shortage]) {
        let short = Dictionary(shortages.map { s in
            (s.root, "free space on \(s.root) is \(s.availableBytes) bytes, under the floor of \(s.floorBytes) (--min-free-bytes), and no complete recording is left to delete")
        }, uniquingKeysWith: { first, _ in first })
        let (started, ended) = lock.withLock { r -> ([String], [String]) in
            let started = short.keys.filter { r.pausedRoots[$0] == nil }.sorted()
            let ended = r.pausedRoots.keys.filter { short[$0] == nil }.sorted()
            r.pausedRoots = short
            return (started, ended)
        }
        for root in started {
            events.publish("recordingPaused", ["root": .string(root), "reason": .string(short[root]!)])
            let live = lock.withLock { r in Array(r.streams.values) }
            for stream in live {
                stream.state.withLock { state in
                    for (id, session) in state.sessions where PathPolicy.isInside(session.naming.basePath, root: root) {
                        _ = state.detach(id)
                        finish(session, configId: id)
                        lock.withLock { r in
                            r.configs[id]?.state = .paused
                            r.configs[id]?.lastError = short[root]
                        }
                    }
                }
            }
        }
        for root in ended {
            events.publish("recordingResumed", ["root": .string(root)])
            let waiting = lock.withLock { r in
                r.configs.filter { $0.value.state == .paused && PathPolicy.isInside($0.value.parameters.pathToFile, root: root) }
                    .map { ($0.key, $0.value.parameters.localStreamName) }.sorted { $0.0 < $1.0 }
            }
            for (id, name) in waiting {
                guard let stream = lock.withLock({ r in r.streams[name] }) else {
                    lock.withLock { r in r.configs[id]?.state = .waiting }
                    continue
                }
                startSession(configId: id, on: stream)
            }
        }
    }

    /// Recording sessions running now (the metrics' active recordings).
    public var activeRecordingCount: Int {
        let live = lock.withLock { r in Array(r.streams.values) }
        return live.reduce(0) { total, stream in total + stream.state.withLock { $0.sessions.count } }
    }

    /// Per stream, what its recordings are writing now and its configs' last error.
    func recordingProgress(of stream: LiveStream) -> (recordings: [StreamRecordingSnapshot], lastError: String?) {
        let sessions = stream.state.withLock { $0.sessions.map { (configId: $0.key, progress: $0.value.openChunkProgress) } }
        let recordings = sessions.sorted { $0.0 < $1.0 }.map { id, progress in
            StreamRecordingSnapshot(configId: id, file: progress?.path, bytes: progress?.bytes ?? 0, durationSeconds: progress?.seconds ?? 0)
        }
        let lastError = lock.withLock { r in
            r.configs.filter { $0.value.parameters.localStreamName == stream.name && $0.value.lastError != nil }
                .sorted { $0.key < $1.key }.last?.value.lastError
        }
        return (recordings, lastError)
    }

    private func snapshot(_ id: Int) -> RecordConfigSnapshot? {
        guard let config = lock.withLock({ r in r.configs[id] }) else { return nil }
        let stream = lock.withLock { r in r.streams[config.parameters.localStreamName] }
        let sessionPath = stream.flatMap { s in s.state.withLock { $0.sessions[id]?.nextPath } }
        let computed = sessionPath
            ?? OutputNaming(parameters: config.parameters, resolvedPath: config.parameters.pathToFile).firstPath
        let hasAudio = stream.map { s in s.state.withLock { $0.hasAudio } } ?? false
        return RecordConfigSnapshot(configId: id, parameters: config.parameters, computedPathToFile: computed,
                                    mp4BinPath: options.mp4writerPath, hasAudio: hasAudio, state: config.state.rawValue,
                                    filesWritten: config.files, lastError: config.lastError)
    }
}
