import Foundation
import MediaCore
import Operations
import Synchronization

/// The recorder's side of running for months: keeps the recordings catalog in step with the
/// chunks (opened → recording, closed → finalizing or finalized, finalized → finalized with
/// the MP4's size), counts what the metrics show, and runs retention on its own serial queue:
/// periodically and after every chunk close, never on an ingest thread.
///
/// The engine calls the `chunk*` and `ingested` hooks; the server sets it up at start
/// (`reconcile`, `rebuildIfLost`) and reads `metricsText()` and the catalog for the API.
public final class RecorderOperations: Sendable {
    public let catalog: RecordingCatalog
    public let metrics = MetricsRegistry()
    public let enforcer: RetentionEnforcer
    public let roots: [String]
    public let version: String
    /// Called (on the retention queue) for each recording retention deleted.
    var onDeleted: @Sendable (RetentionPlan.Deletion) -> Void {
        get { state.withLock { $0.onDeleted } }
        set { state.withLock { $0.onDeleted = newValue } }
    }
    /// Called (on the retention queue) after each check with the roots under the floor.
    var onStorage: @Sendable ([RetentionPlan.Shortage]) -> Void {
        get { state.withLock { $0.onStorage } }
        set { state.withLock { $0.onStorage = newValue } }
    }

    private let queue = DispatchQueue(label: "retention")
    /// A leaf lock: nothing else is locked, and no hook is called, while it is held.
    private struct State {
        var onDeleted: @Sendable (RetentionPlan.Deletion) -> Void = { _ in }
        var onStorage: @Sendable ([RetentionPlan.Shortage]) -> Void = { _ in }
        var checkQueued = false
        var timer: DispatchSourceTimer?
        /// When each MP4 chunk closed, for the finalize-duration histogram.
        var closedAt: [String: ContinuousClock.Instant] = [:]
        var lastShortages: [RetentionPlan.Shortage] = []
    }
    private let state = Mutex(State())
    private let now: @Sendable () -> Double
    private let usage: RetentionEnforcer.UsageProbe

    /// Finalize durations, seconds: a short chunk takes well under a second, a long one (hours
    /// at high bitrate) a minute or more when the disk is slow.
    static let finalizeBuckets: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]

    public init(catalog: RecordingCatalog, policy: RetentionPolicy, roots: [String], version: String,
                overrides: @escaping @Sendable () -> [Int: RetentionPolicy] = { [:] },
                now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
                usage: @escaping RetentionEnforcer.UsageProbe = { root throws in try FileSystem.usage(root) }) {
        self.catalog = catalog
        self.roots = roots
        self.version = version
        self.now = now
        self.usage = usage
        enforcer = RetentionEnforcer(catalog: catalog, policy: policy, roots: roots, overrides: overrides, now: now, usage: usage)
        declareMetrics()
    }

    // MARK: Hooks from the engine

    func chunkOpened(file: String, stream: String, configId: Int, tracks: [TrackDescription]) {
        let described = tracks.compactMap { $0.sampleDescriptions.last.map(RecordingFileInspector.track) }
        catalog.upsert(RecordingEntry(file: file, localStreamName: stream, configId: configId, startTime: now(),
                                      tracks: described, state: .recording))
    }

    func chunkClosed(_ summary: ChunkSummary, isMP4: Bool) {
        metrics.increment("recorder_written_bytes_total", by: Double(summary.payloadBytes))
        if isMP4 { state.withLock { $0.closedAt[summary.path] = .now } }
        catalog.update(summary.path) { entry in
            entry.startTime = summary.wallClockStart
            entry.duration = summary.durationSeconds
            // FLV and TS are complete now; an MP4 is its staging set until mp4writer is done.
            entry.bytes = isMP4 ? summary.payloadBytes : UInt64(max(0, FileSystem.fileSize(summary.path) ?? 0))
            entry.state = isMP4 ? .finalizing : .finalized
        }
        if !isMP4 { metrics.increment("recorder_chunks_finalized_total") }
        requestCheck()
    }

    func chunkFinalized(file: String) {
        metrics.increment("recorder_chunks_finalized_total")
        if let closed = state.withLock({ $0.closedAt.removeValue(forKey: file) }) {
            metrics.observe("recorder_finalize_duration_seconds", (ContinuousClock.now - closed) / .seconds(1))
        }
        catalog.update(file) { entry in
            entry.bytes = UInt64(max(0, FileSystem.fileSize(file) ?? Int64(entry.bytes)))
            entry.state = .finalized
        }
        requestCheck()
    }

    /// A chunk that could not be written or finalized: counted; its entry stays as it is
    /// (retention never deletes it) until the next start settles it from what is on disk.
    func chunkFailed(file: String) {
        metrics.increment("recorder_chunks_failed_total")
        state.withLock { _ = $0.closedAt.removeValue(forKey: file) }
    }

    /// Frames a recording dropped because its disk fell behind (RecordingWriter).
    func framesDropped(_ frames: Int) {
        metrics.increment("recorder_frames_dropped_total", by: Double(frames))
    }

    /// The ingest byte counter of one protocol, resolved once per stream: every frame adds to it.
    func ingestCounter(protocol source: String) -> MetricsRegistry.CounterCell? {
        metrics.counter("recorder_ingest_bytes_total", labels: [.init("protocol", source)])
    }

    /// A start-up recovery ran (`mp4writer --batch` over the media folder).
    func recoveryRan() {
        metrics.increment("recorder_recovery_runs_total")
    }

    // MARK: Start-up

    /// Settles what the journal left open (a crash, a stop during a finalize) from what is on
    /// disk now, after start-up recovery: a complete file is `recovered` with its real size,
    /// duration and tracks; a missing one leaves the catalog. Complete entries whose file is
    /// gone (removed by hand) leave it too, so listRecordings lists the files on disk.
    func reconcile(log: @Sendable (String) -> Void) {
        let inspector = RecordingFileInspector()
        var settled = 0, dropped = 0
        for entry in catalog.allEntries() {
            let staging = FileSystem.exists(entry.file + ".info") || FileSystem.exists(entry.file + ".mdat")
            if entry.state.isComplete {
                if !FileSystem.exists(entry.file) { catalog.markDeleted(entry.file); dropped += 1 }
                continue
            }
            if FileSystem.exists(entry.file) && !staging, let summary = try? inspector.inspect(entry.file) {
                catalog.update(entry.file) { e in
                    e.duration = summary.duration
                    e.bytes = summary.bytes
                    if !summary.tracks.isEmpty { e.tracks = summary.tracks }
                    e.state = .recovered
                }
                settled += 1
            } else if !staging {
                catalog.markDeleted(entry.file)
                dropped += 1
            }
        }
        catalog.sync()
        if settled + dropped > 0 {
            log("recordings catalog: \(settled) recording(s) left open by the last run settled from their files, \(dropped) missing file(s) dropped")
        }
    }

    /// Makes the catalog from the files under the roots when its journal was lost.
    func rebuildIfLost(attribute: @escaping CatalogRebuilder.Attribution, log: @Sendable (String) -> Void) {
        guard catalog.journalWasMissing else { return }
        let result = CatalogRebuilder(roots: roots, attribute: attribute).rebuild(into: catalog)
        catalog.sync()
        log("recordings catalog: no \(catalog.path); rebuilt from the files: \(result.found) recording(s)")
        for problem in result.skipped { log("recordings catalog: skipped \(problem)") }
    }

    // MARK: Retention

    /// Runs a check on the retention queue; checks asked for while one waits are one check.
    public func requestCheck() {
        let first = state.withLock { state -> Bool in
            defer { state.checkQueued = true }
            return !state.checkQueued
        }
        guard first else { return }
        queue.async { [self] in
            state.withLock { $0.checkQueued = false }
            check()
        }
    }

    /// A check now, on the caller's thread (tests).
    @discardableResult
    public func checkNow() -> RetentionEnforcer.Outcome {
        queue.sync { check() }
    }

    /// Checks every `interval` until `stop()`.
    public func start(interval: Duration) {
        let seconds = interval.inSeconds
        let queue = queue
        state.withLock { state in
            // Made inside the lock, where it stays (a timer is not Sendable).
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + seconds, repeating: seconds)
            timer.setEventHandler { [weak self] in self?.check() }
            timer.resume()
            state.timer = timer
        }
        requestCheck()
    }

    public func stop() {
        state.withLock { $0.timer?.cancel() }
        queue.sync {}
        catalog.sync()
    }

    /// The roots under the free-space floor at the last check.
    public var shortages: [RetentionPlan.Shortage] { state.withLock { $0.lastShortages } }

    @discardableResult
    private func check() -> RetentionEnforcer.Outcome {
        let outcome = enforcer.enforce()
        for deletion in outcome.deleted {
            let reason = [MetricFamily.Label("reason", deletion.reason.rawValue)]
            metrics.increment("recorder_retention_deletions_total", labels: reason)
            metrics.increment("recorder_retention_deleted_bytes_total", labels: reason, by: Double(deletion.entry.bytes))
            onDeleted(deletion)
        }
        state.withLock { $0.lastShortages = outcome.plan.shortages }
        onStorage(outcome.plan.shortages)
        return outcome
    }

    /// deleteRecording: a complete recording of the catalog, removed now.
    public func delete(file: String) throws(CatalogError) -> RecordingEntry {
        // A file already gone (removed by hand) leaves the catalog too.
        let entry = try catalog.deleteComplete(file) { path in try FileSystem.remove(path) }
        catalog.sync()
        let reason = [MetricFamily.Label("reason", RetentionReason.request.rawValue)]
        metrics.increment("recorder_retention_deletions_total", labels: reason)
        metrics.increment("recorder_retention_deleted_bytes_total", labels: reason, by: Double(entry.bytes))
        return entry
    }

    // MARK: Metrics

    private func declareMetrics() {
        let reasons = RetentionReason.allCases.map { [MetricFamily.Label("reason", $0.rawValue)] }
        metrics.declareCounter("recorder_ingest_bytes_total", help: "Media bytes received from live streams, by ingest protocol.",
                               labelSets: [])
        metrics.declareCounter("recorder_written_bytes_total", help: "Media bytes written to recordings (counted when each chunk closes).")
        metrics.declareCounter("recorder_chunks_finalized_total", help: "Chunks that became complete files (MP4: finalized by mp4writer).")
        metrics.declareCounter("recorder_chunks_failed_total", help: "Chunks whose writing or finalizing failed.")
        metrics.declareCounter("recorder_frames_dropped_total",
                               help: "Frames not recorded because the disk fell behind and the recording's write queue was full.")
        metrics.declareCounter("recorder_recovery_runs_total", help: "Start-up recovery runs over the media folder.")
        metrics.declareCounter("recorder_retention_deletions_total", help: "Recordings deleted, by reason (age, bytes, free-space, request).",
                               labelSets: reasons)
        metrics.declareCounter("recorder_retention_deleted_bytes_total", help: "Bytes of the recordings deleted, by reason.",
                               labelSets: reasons)
        metrics.declareHistogram("recorder_finalize_duration_seconds",
                                 help: "Seconds from an MP4 chunk's close to its finalized file (queue wait included).",
                                 buckets: Self.finalizeBuckets)
        metrics.addCollector { [weak self] in self?.storageFamilies() ?? [] }
    }

    /// Each root's size, free and used bytes (used: the recordings the catalog holds under it)
    /// and the global retention limits, measured now (`storageInfo`, the storage metrics).
    public func storageReport() -> StorageReport {
        StorageReport.measure(catalog: catalog, roots: roots, policy: enforcer.policy, belowFloor: Set(shortages.map(\.root)),
                              usage: usage)
    }

    /// Free and used bytes per root, the catalog's size, build info.
    private func storageFamilies() -> [MetricFamily] {
        let report = storageReport()
        var free: [MetricFamily.Sample] = [], size: [MetricFamily.Sample] = [], usedSamples: [MetricFamily.Sample] = []
        for root in report.roots {
            let label = [MetricFamily.Label("root", root.path)]
            if let usage = root.usage {
                free.append(.init(labels: label, value: Double(usage.availableBytes)))
                size.append(.init(labels: label, value: Double(usage.totalBytes)))
            }
            usedSamples.append(.init(labels: label, value: Double(root.usedBytes)))
        }
        return [
            MetricFamily(name: "recorder_storage_free_bytes", help: "Bytes free for the recorder on the filesystem of each allowed root.",
                         kind: .gauge, samples: free),
            MetricFamily(name: "recorder_storage_size_bytes", help: "Size of the filesystem of each allowed root.", kind: .gauge, samples: size),
            MetricFamily(name: "recorder_storage_used_bytes", help: "Bytes of the recordings under each allowed root (from the catalog).",
                         kind: .gauge, samples: usedSamples),
            MetricFamily(name: "recorder_catalog_recordings", help: "Recordings in the catalog (not deleted).", kind: .gauge,
                         samples: [.init(value: Double(report.recordingCount))]),
            MetricFamily(name: "recorder_storage_paused", help: "1 when recording is paused because free space is under --min-free-bytes.",
                         kind: .gauge, samples: [.init(value: shortages.isEmpty ? 0 : 1)]),
            MetricFamily(name: "recorder_build_info", help: "The recorder's version (value always 1).", kind: .gauge,
                         samples: [.init(labels: [.init("version", version)], value: 1)]),
        ]
    }

    /// Every metric in the Prometheus text format.
    public func metricsText() -> String {
        PrometheusText.render(metrics.families())
    }
}
