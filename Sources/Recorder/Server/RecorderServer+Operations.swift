import Foundation
import MediaCore
import Operations

/// The server's operations side: the catalog and retention set up at start, and the
/// `/metrics` and `/health` pages of the HTTP port.
extension RecorderServer {
    /// An mp4writer running longer than this is taken as stuck (health fails): a 4-hour
    /// chunk at 50 Mbps finalizes in a few minutes even on a slow disk.
    static let stuckFinalizeSeconds = 1800.0

    static func makeOperations(configuration: ServerConfiguration, engine: RecorderEngine,
                               log: @escaping @Sendable (String) -> Void) throws -> RecorderOperations {
        let catalog = try RecordingCatalog(directory: configuration.stateDirectory, log: log)
        let policy = RetentionPolicy(maxAgeSeconds: configuration.retentionAge.map(Double.init), maxBytes: configuration.retentionBytes,
                                     minFreeBytes: configuration.minFreeBytes)
        return RecorderOperations(catalog: catalog, policy: policy, roots: configuration.pathPolicy.allowedRoots,
                                  version: CommandDispatcher.defaultVersion,
                                  overrides: { [weak engine] in engine?.retentionOverrides() ?? [:] })
    }

    /// After start-up recovery: the catalog rebuilt if it was lost, what the last run left
    /// open settled, retention started.
    func startOperations() {
        let configs = engine.listConfigs()
        operations.rebuildIfLost(attribute: { file in Self.owner(of: file, configs: configs) }, log: log)
        operations.reconcile(log: log)
        operations.start(interval: configuration.retentionInterval)
    }

    /// The config whose recordings `file` is one of: the file lies where the config's
    /// pathToFile puts them (or in a date folder beside it) and its name is pathToFile's, with
    /// at most a `_N` or `_partNNNN` suffix. The longest pathToFile wins.
    static func owner(of file: String, configs: [RecordConfigSnapshot]) -> (localStreamName: String, configId: Int?)? {
        let fileFolder = FileSystem.directoryName(file)
        let fileName = FileSystem.baseName(file)
        let candidates = configs.map { ($0, OutputNaming(parameters: $0.parameters, resolvedPath: $0.parameters.pathToFile).basePath) }
        for (config, base) in candidates.sorted(by: { $0.1.count > $1.1.count }) {
            let ext = "." + config.parameters.type.rawValue
            let name = FileSystem.baseName(base)
            guard fileName.hasPrefix(name), fileName.hasSuffix(ext), fileName.count >= name.count + ext.count else { continue }
            let middle = fileName.dropFirst(name.count).dropLast(ext.count)
            guard middle.isEmpty || middle.hasPrefix("_") else { continue }
            let folder = FileSystem.directoryName(base)
            if fileFolder == folder || (config.parameters.dateFolderStructure && FileSystem.directoryName(fileFolder) == folder) {
                return (config.parameters.localStreamName, config.configId)
            }
        }
        return nil
    }

    var operationsResources: HTTPServer.Resources {
        [
            "/metrics": { [weak self] in
                HTTPServer.Resource(contentType: PrometheusText.contentType, body: self?.metricsText() ?? "")
            },
            "/health": { [weak self] in
                guard let report = self?.health() else { return HTTPServer.Resource(status: 503, contentType: "application/json", body: "{}") }
                return HTTPServer.Resource(status: report.isHealthy ? 200 : 503, contentType: "application/json", body: report.json.text)
            },
        ]
    }

    /// The stored metrics and those of the moment: streams live by protocol, recordings
    /// active, the finalizer's queue.
    func metricsText() -> String {
        var byProtocol: [String: Int] = [:]
        for stream in engine.listStreams() where stream.active { byProtocol[stream.source, default: 0] += 1 }
        let now = [
            MetricFamily(name: "recorder_streams_live", help: "Live inbound streams, by ingest protocol.", kind: .gauge,
                         samples: byProtocol.sorted { $0.key < $1.key }.map { .init(labels: [.init("protocol", $0.key)], value: Double($0.value)) }),
            MetricFamily(name: "recorder_recordings_active", help: "Recording sessions writing now.", kind: .gauge,
                         samples: [.init(value: Double(engine.activeRecordingCount))]),
            MetricFamily(name: "recorder_finalizer_queue_length", help: "MP4 chunks waiting for or in mp4writer.", kind: .gauge,
                         samples: [.init(value: Double(engine.pool.queueLength))]),
            MetricFamily(name: "recorder_publish_refusals_total", help: "Publishers refused, by ingest protocol and reason (docs/security.md).",
                         kind: .counter, samples: publishRefusalSamples()),
        ]
        return PrometheusText.render((operations.metrics.families() + now).sorted { $0.name < $1.name })
    }

    /// One sample per protocol and reason, in a stable order.
    private func publishRefusalSamples() -> [MetricFamily.Sample] {
        engine.publishing.refusalCountsByProtocol.sorted { $0.key.rawValue < $1.key.rawValue }.flatMap { proto, reasons in
            reasons.sorted { $0.key.rawValue < $1.key.rawValue }.map { reason, count in
                MetricFamily.Sample(labels: [.init("protocol", proto.rawValue), .init("reason", reason.rawValue)], value: Double(count))
            }
        }
    }

    /// Healthy when the API answers (it does, to be asked), the listeners are bound, the
    /// finalizer can run and is not stuck, the catalog is written, and each root's filesystem
    /// has its floor free.
    public func health() -> HealthReport {
        var checks = [HealthReport.Check(name: "api", ok: true, detail: "answering")]
        let listeners = listeners
        let ports = [("http", listeners?.http.port ?? 0), ("cli", listeners?.cli.port ?? 0),
                     ("rtmp", listeners?.rtmp.port ?? 0), ("rtsp", listeners?.rtsp.port ?? 0)]
        let unbound = ports.filter { $0.1 == 0 }.map(\.0)
        checks.append(.init(name: "listeners", ok: unbound.isEmpty,
                            detail: unbound.isEmpty ? ports.map { "\($0.0) :\($0.1)" }.joined(separator: ", ")
                                                    : "not listening: \(unbound.joined(separator: ", "))"))
        let writer = configuration.mp4writerPath
        if !FileManager.default.isExecutableFile(atPath: writer) {
            checks.append(.init(name: "finalizer", ok: false, detail: "\(writer) is not an executable file"))
        } else if let started = engine.pool.oldestRunStart, ContinuousClock.now - started > .seconds(Self.stuckFinalizeSeconds) {
            checks.append(.init(name: "finalizer", ok: false,
                                detail: "an mp4writer has run for \((ContinuousClock.now - started).components.seconds) s (stuck?)"))
        } else {
            checks.append(.init(name: "finalizer", ok: true, detail: "\(engine.pool.queueLength) chunk(s) queued or running"))
        }
        let failures = operations.catalog.writeFailures
        checks.append(.init(name: "catalog", ok: failures == 0,
                            detail: failures == 0 ? "\(operations.catalog.count) recording(s)" : "\(failures) catalog write(s) failed"))
        for root in operations.roots {
            do {
                let usage = try FileSystem.usage(root)
                if let floor = configuration.minFreeBytes, usage.availableBytes < floor {
                    checks.append(.init(name: "storage \(root)", ok: false,
                                        detail: "\(usage.availableBytes) bytes free, under the floor of \(floor) (--min-free-bytes)"))
                } else {
                    checks.append(.init(name: "storage \(root)", ok: true, detail: "\(usage.availableBytes) bytes free"))
                }
            } catch {
                checks.append(.init(name: "storage \(root)", ok: false, detail: "\(error)"))
            }
        }
        return HealthReport(checks: checks)
    }
}

extension HealthReport {
    /// `{"status":"ok"|"fail","checks":{NAME:{"ok":..,"detail":..}},"reasons":[...]}`.
    var json: JSONValue {
        .object([
            "status": .string(isHealthy ? "ok" : "fail"),
            "checks": .object(Dictionary(checks.map { ($0.name, JSONValue.object(["ok": .bool($0.ok), "detail": .string($0.detail)])) },
                                         uniquingKeysWith: { first, _ in first })),
            "reasons": .array(reasons.map(JSONValue.string)),
        ])
    }
}
