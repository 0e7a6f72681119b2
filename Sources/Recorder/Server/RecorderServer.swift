import Foundation
import MediaCore
import RTSP
import Operations
import Synchronization

/// The recorder server: the engine, its persisted configs, the HTTP API and the line CLI.
/// At start it finalizes (or recovers) the staging sets a crash left in the media folder.
public final class RecorderServer: Sendable {
    public let configuration: ServerConfiguration
    public let engine: RecorderEngine
    let log: @Sendable (String) -> Void
    private let stopped = DispatchSemaphore(value: 0)
    /// The API servers and ingest listeners, once started (the health check reads their ports).
    struct Listeners {
        let http: HTTPServer
        let cli: LineServer
        let rtmp: IngestListener
        let rtsp: IngestListener
    }
    private let started = Mutex<Listeners?>(nil)
    var listeners: Listeners? { started.withLock { $0 } }
    /// The recordings catalog, retention, metrics (docs/operations.md).
    public let operations: RecorderOperations

    public init(configuration: ServerConfiguration, log: @escaping @Sendable (String) -> Void) throws {
        self.configuration = configuration
        self.log = log
        try FileSystem.createDirectories(configuration.mediaDirectory)
        try FileSystem.createDirectories(configuration.stateDirectory)
        let store = try ConfigStore(directory: configuration.stateDirectory, log: log)
        var options = RecorderEngine.Options(mp4writerPath: configuration.mp4writerPath)
        options.finalizeConcurrency = configuration.finalizePoolSize
        options.silenceTimeout = Double(configuration.streamSilenceTimeout.components.seconds)
        options.eventURL = configuration.eventURL
        options.eventCommand = configuration.eventCommand
        options.publishPolicy = configuration.publishPolicy
        engine = RecorderEngine(options: options, store: store, log: log)
        operations = try Self.makeOperations(configuration: configuration, engine: engine, log: log)
        engine.operations = operations
    }

    /// Starts everything, blocks until `shutdownServer` (or SIGINT/SIGTERM), then stops
    /// cleanly: open files are closed and MP4 chunks finalized before it returns.
    public func runUntilShutdown() throws {
        recoverLeftovers()
        operations.recoveryRan()
        startOperations()
        let dispatcher = CommandDispatcher(control: engine, paths: configuration.pathPolicy,
                                           onShutdown: { [stopped] in stopped.signal() })
        let http = HTTPServer(host: configuration.httpHost, port: configuration.httpPort, dispatcher: dispatcher,
                              limits: configuration.httpLimits,
                              resources: operationsResources.merging(ConsoleResources.resources) { own, _ in own },
                              routes: RecordingRoutes(catalog: operations.catalog, paths: configuration.pathPolicy).routes,
                              token: configuration.apiToken)
        let cli = LineServer(host: configuration.cliHost, port: configuration.cliPort, dispatcher: dispatcher,
                             limits: configuration.lineLimits)
        var rtmpLimits = RTMPIngest.Limits()
        rtmpLimits.idleTimeout = configuration.streamSilenceTimeout
        let rtmp = RTMPIngest.listener(host: configuration.rtmpHost, port: configuration.rtmpPort, engine: engine, limits: rtmpLimits, log: log)
        var rtspLimits = RTSPIngest.Limits()
        rtspLimits.idleTimeout = configuration.streamSilenceTimeout
        if let user = configuration.rtspUser {
            rtspLimits.credentials = RTSPCredentials(user: user, password: configuration.rtspPassword ?? "")
        }
        let rtsp = RTSPIngest.listener(host: configuration.rtspHost, port: configuration.rtspPort, engine: engine, limits: rtspLimits, log: log)
        try http.start()
        try cli.start()
        try rtmp.start()
        try rtsp.start()
        started.withLock { $0 = Listeners(http: http, cli: cli, rtmp: rtmp, rtsp: rtsp) }
        log(configuration.publishPolicy.summary)
        // Whether a token guards the API, never the token.
        log(configuration.apiToken == nil ? "HTTP API and console open to this machine (loopback, no --api-token)"
                                          : "HTTP API and console need the API token (Authorization: Bearer, or the console's login)")
        log("recorder started: http=\(configuration.httpHost):\(http.port) cli=\(configuration.cliHost):\(cli.port) rtmp=\(configuration.rtmpHost):\(rtmp.port) rtsp=\(configuration.rtspHost):\(rtsp.port) media=\(configuration.mediaDirectory) state=\(configuration.stateDirectory) mp4writer=\(configuration.mp4writerPath)")
        let signals = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig)
            source.setEventHandler { dispatcher.completeShutdown() }
            source.resume()
            return source
        }
        stopped.wait()
        signals.forEach { $0.cancel() }
        // A publisher that started after the engine's shutdown ended its streams is ended here;
        // its MP4 chunks are finalized before we return.
        rtmp.stop()
        rtsp.stop()
        engine.pool.waitUntilIdle()
        operations.stop()
        http.stop()
        cli.stop()
        log("recorder stopped")
    }

    /// Staging sets left by a crash: `mp4writer --batch` finalizes clean ones and recovers
    /// damaged ones (a separate process, as every finalize).
    private func recoverLeftovers() {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: configuration.mp4writerPath)
        process.arguments = ["--batch", configuration.mediaDirectory]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            for line in output.split(separator: "\n") { log("startup recovery: \(line)") }
        } catch {
            log("startup recovery: cannot run \(configuration.mp4writerPath): \(error)")
        }
    }
}
