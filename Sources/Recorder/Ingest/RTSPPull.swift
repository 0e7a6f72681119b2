import Containers
import Foundation
import MediaCore
import RTSP
import StagingWriter
import Synchronization

/// A camera the recorder pulls over RTSP (`pullStream uri=rtsp://...`): on a thread of its
/// own, connect, OPTIONS/DESCRIBE/SETUP/PLAY (`RTSPClientSession`), and feed the engine's live
/// stream of `name` from the RTP that follows (`RTPStreamAssembler`), keepalives included.
/// When the camera goes (closed connection, ~10 s of silence, an error) the stream ends and its
/// chunk is closed; with keepAlive the pull starts over after `reconnectDelay`, a full
/// handshake each time, and each reconnection records a new chunk.
final class RTSPPull: Sendable {
    let uri: String
    let name: String
    let options: PullOptions
    private weak let engine: (any IngestSink)?
    /// Called when the pull ends by itself (keepAlive=0), not when it is stopped.
    private let onFinished: @Sendable (RTSPPull) -> Void
    /// The engine's stream silence, in seconds.
    let silence: Double
    private let log: @Sendable (String) -> Void
    /// What the control side (stop, endConnection, phase) and the pull's thread share: a leaf
    /// lock, held for a field or two and never across I/O.
    private struct State {
        var phase = Phase.connecting
        var request: Request?
        /// The connection up now: shut down by a stop that waited `stopGrace` in vain.
        var current: StreamSocket?
    }
    private let state = Mutex(State())
    private let finished = DispatchSemaphore(value: 0)
    /// Signalled by stop(): wakes the wait between two connections at once.
    private let stopRequested = DispatchSemaphore(value: 0)

    /// Where the pull is (listPullPushConfig's `state`, through PullConfigState).
    enum Phase: Sendable {
        case connecting, streaming
        /// For the next attempt (keepAlive=1).
        case waiting
        /// The pull's thread is done.
        case ended
    }

    /// What the control side asked of the pull's thread.
    private enum Request {
        /// shutdownStream permanently=0: end this connection (TEARDOWN, chunk closed), then go
        /// on as after any end (reconnect with keepAlive).
        case endConnection
        /// The pull ends for good.
        case stop
    }

    /// Between the end of one connection and the next attempt (keepAlive=1).
    static let reconnectDelay: Duration = .seconds(5)
    /// From connecting to PLAY answered: cameras answer in well under a second.
    static let setupTimeout: Duration = .seconds(10)
    /// A camera that drops our SYNs (unplugged, wrong address) costs this, not the kernel's
    /// two minutes, before the next attempt.
    static let connectTimeout: Duration = .seconds(5)
    /// UDP: no packet this long after PLAY means a firewall or NAT eats them; go TCP.
    static let udpSilence: Duration = .seconds(3)
    /// The RTSP connection's read size: a few RTP packets of a high-bitrate camera.
    static let readSize = 64 * 1024

    init(uri: String, name: String, options: PullOptions, engine: any IngestSink, silence: Double = 10,
         onFinished: @escaping @Sendable (RTSPPull) -> Void = { _ in }, log: @escaping @Sendable (String) -> Void) {
        self.uri = uri
        self.name = name
        self.options = options
        self.engine = engine
        self.onFinished = onFinished
        self.silence = silence
        self.log = log
    }

    func start() {
        let thread = Thread { [self] in
            run()
            let stopped = state.withLock { state in
                state.phase = .ended
                return state.request == .stop
            }
            finished.signal()
            // Ended by itself (keepAlive=0): the engine forgets it, the name may be pulled again.
            if !stopped { onFinished(self) }
        }
        thread.name = "rtsp-\(name)"
        thread.start()
    }

    /// Ends the pull: the connection loop sees it within its read wait, sends TEARDOWN and ends
    /// the stream (chunks closed); a connection stuck in connect or a write is cut after
    /// `stopGrace`. Returns when the thread is done (or after `stopGrace` plus `stopWait`).
    func stop() {
        let done = state.withLock { state -> Bool in
            state.request = .stop
            return state.phase == .ended
        }
        guard !done else { return }
        stopRequested.signal()
        if finished.wait(upTo: Self.stopGrace) == .timedOut {
            state.withLock { $0.current }?.shutdownBoth()
            _ = finished.wait(upTo: Self.stopWait)
        }
    }

    /// How long a stop waits for the connection to end by itself (a read wait is 0.5 s).
    static let stopGrace: Duration = .seconds(3)
    /// How long it then waits for the thread once the connection is shut down.
    static let stopWait: Duration = .seconds(10)

    /// Ends the current connection as `stop()` does, but the pull goes on (keepAlive=1: a new
    /// connection after `reconnectDelay`).
    func endConnection() {
        state.withLock { state in
            if state.request == nil { state.request = .endConnection }
        }
    }

    /// Where the pull is now.
    var phase: Phase { state.withLock { $0.phase } }

    private func setPhase(_ value: Phase) { state.withLock { $0.phase = value } }

    private var shouldStop: Bool { state.withLock { $0.request == .stop } }

    private func run() {
        var url = uri
        var tcp = options.forceTcp
        var redirects = 0
        while !shouldStop {
            state.withLock { state in
                state.phase = .connecting
                // An end asked while no connection was up: nothing to end.
                if state.request == .endConnection { state.request = nil }
            }
            let outcome = connectOnce(url: url, tcp: tcp, redirects: redirects)
            switch outcome {
            case .redirect(let target):
                redirects += 1
                url = target
                log(line("rtspRedirect", ["to": .string(RTSPPull.withoutCredentials(target))]))
                continue
            case .udpSilent:
                tcp = true
                log(line("rtspFallbackToTCP", ["reason": .string("no RTP over UDP within \(Self.udpSilence.inSeconds) s")]))
                continue
            case .ended(let reason):
                log(line("rtspPullEnded", ["reason": .string(reason)]))
            }
            url = uri
            redirects = 0
            guard options.keepAlive else { return }
            setPhase(.waiting)
            // Until the next attempt, or at once when stop() is called.
            _ = stopRequested.wait(upTo: Self.reconnectDelay)
        }
    }

    enum Outcome: Equatable {
        case ended(String)
        case redirect(String)
        case udpSilent
    }

    private func connectOnce(url text: String, tcp: Bool, redirects: Int) -> Outcome {
        let url: RTSPURL
        do { url = try RTSPURL(parsing: text) } catch { return .ended("\(error)") }
        // Credentials of the first URL stay with a redirect that has none.
        var target = url
        if target.user == nil, let original = try? RTSPURL(parsing: uri) {
            target.user = original.user
            target.password = original.password
        }
        let socket: StreamSocket
        do {
            socket = try StreamSocket.connect(host: target.host, port: target.port, deadline: .now + Self.connectTimeout)
        } catch {
            return .ended("\(error)")
        }
        socket.setSendTimeout(.seconds(10))
        let registered = state.withLock { state -> Bool in
            guard state.request != .stop else { return false }
            state.current = socket
            return true
        }
        defer {
            state.withLock { $0.current = nil }
            socket.close()
        }
        guard registered else { return .ended("stopped") }
        var connection = RTSPPullConnection(pull: self, socket: socket, url: target, tcp: tcp, redirects: redirects)
        return connection.run()
    }

    /// Claims the stream's name for a connection that plays; nil when it is live already.
    fileprivate func started(client: String, transport: IngestTransport) -> StreamClaim? {
        guard let engine, let claimed = try? StreamClaim.claim(name, source: "rtsp", clientAddress: client, transport: transport,
                                                               sink: engine) else { return nil }
        setPhase(.streaming)
        return claimed
    }

    fileprivate func note(_ event: String, _ fields: [String: JSONValue]) {
        log(line(event, fields))
    }

    /// The current connection must end: the pull stops, or shutdownStream ended the stream.
    fileprivate var stopping: Bool { state.withLock { $0.request != nil } }

    private func line(_ event: String, _ fields: [String: JSONValue]) -> String {
        var object = fields
        object["event"] = .string(event)
        object["stream"] = .string(name)
        object["uri"] = .string(Self.withoutCredentials(uri))
        return JSONWriter.text(of: .object(object))
    }

    /// A URL for logs and listStreams: the password never appears there.
    static func withoutCredentials(_ text: String) -> String {
        (try? RTSPURL(parsing: text))?.description ?? text
    }
}

/// One connection of a pull: the session, the byte stream, the UDP sockets if any, and the
/// assembler; ends the engine's stream if it started one.
private struct RTSPPullConnection {
    let pull: RTSPPull
    let socket: StreamSocket
    var session: RTSPClientSession
    var decoder = RTSPStreamDecoder()
    var assembler: RTPStreamAssembler?
    /// Session track index -> assembler index (nil: skipped).
    var trackMap: [Int: Int] = [:]
    var udp: [RTPPortPair] = []
    /// The live stream, from PLAY on.
    var stream: StreamClaim?
    let clock = ContinuousClock()
    let start: ContinuousClock.Instant
    var lastMedia: ContinuousClock.Instant
    var playingSince: ContinuousClock.Instant?
    var nextReceiverReport: ContinuousClock.Instant?
    /// Ours, in the receiver reports (RFC 3550 8.1: random).
    let ssrc = UInt32.random(in: 1...UInt32.max)
    /// The camera's address as connected (the URL may hold a name).
    let peerHost: String

    init(pull: RTSPPull, socket: StreamSocket, url: RTSPURL, tcp: Bool, redirects: Int) {
        self.pull = pull
        self.socket = socket
        let nonce = HexString.encode((0..<8).map { _ in UInt8.random(in: 0...255) })
        session = RTSPClientSession(url: url, transport: tcp ? .tcp : .udp, clientNonce: nonce, redirects: redirects)
        start = clock.now
        lastMedia = start
        peerHost = SocketAddress.host(of: socket.peerAddress() ?? url.host)
    }

    /// Seconds since the connection began: RTP arrival times.
    var now: Double { (clock.now - start).inSeconds }

    mutating func run() -> RTSPPull.Outcome {
        let outcome = serve()
        if let stream {
            if session.isPlaying { try? socket.writeAll(session.teardown().serialized()) }
            if assembler != nil { stream.deliver(assembler!.finish()) }
            stream.end()
        }
        for pair in udp { pair.close() }
        return outcome
    }

    private mutating func serve() -> RTSPPull.Outcome {
        do { try perform(session.start()) } catch { return .ended("\(error)") }
        // For the UDP sockets' datagrams (the connection reads into the decoder's buffer).
        var buffer = [UInt8](repeating: 0, count: RTSPPull.readSize)
        let silence = Duration.seconds(pull.engineSilence)
        while !pull.stopping {
            do {
                guard try socket.readRTSP(into: &decoder, upTo: RTSPPull.readSize, drainingUDP: !udp.isEmpty) else {
                    return .ended(pull.stopping ? "stopped" : "the camera closed the connection")
                }
            } catch {
                return .ended("\(error)")
            }
            do {
                while let item = try decoder.next() {
                    switch item {
                    case .message(let message):
                        if let outcome = try perform(session.handle(message, now: now)) { return outcome }
                    case let .interleaved(channel, payload):
                        guard let (index, isRTCP) = session.track(forChannel: channel) else { continue }
                        receive(payload, sessionTrack: index, isRTCP: isRTCP)
                    }
                }
                try perform(session.tick(now: now))
            } catch {
                return .ended("\(error)")
            }
            drainUDP(&buffer)
            sendReceiverReports()
            let elapsed = clock.now
            if !session.isPlaying && elapsed - start > RTSPPull.setupTimeout {
                return .ended("no answer to the RTSP handshake within \(RTSPPull.setupTimeout.inSeconds) s")
            }
            if let since = playingSince, !udp.isEmpty, session.transport == .udp, lastMedia < since,
               elapsed - since > RTSPPull.udpSilence {
                return .udpSilent
            }
            if playingSince != nil && elapsed - lastMedia > silence {
                return .ended("no media for \(pull.engineSilence) s")
            }
        }
        return .ended("stopped")
    }

    /// Carries out what the session asks; an outcome when the connection must end.
    @discardableResult
    private mutating func perform(_ actions: [RTSPClientSession.Action]) throws -> RTSPPull.Outcome? {
        for action in actions {
            switch action {
            case .send(let message):
                try socket.writeAll(message.serialized())
            case .redirect(let location):
                return .redirect(location)
            case .needUDPPorts(let count):
                var ranges: [ClosedRange<Int>] = []
                for _ in 0..<count {
                    let pair = try RTPPortPair.bind()
                    udp.append(pair)
                    ranges.append(try pair.ports())
                }
                try perform(session.useUDPPorts(ranges))
            case .playing:
                try startStream()
            }
        }
        return nil
    }

    private mutating func startStream() throws {
        var tracks: [RTPStreamAssembler.Track] = []
        for (index, track) in session.tracks.enumerated() {
            guard StagingFormat.storableCodecs.contains(track.format.codec) else {
                pull.note("rtspTrackSkipped", ["track": .int(index + 1), "reason": .string("\(track.format.codec) cannot be recorded yet")])
                continue
            }
            trackMap[index] = tracks.count
            tracks.append(.init(trackID: UInt32(tracks.count + 1), format: track.format))
        }
        for skipped in session.skippedTracks { pull.note("rtspTrackSkipped", ["reason": .string(skipped)]) }
        guard !tracks.isEmpty else { throw RTSPError.noUsableTracks("no track the recorder can record") }
        var assembler = try RTPStreamAssembler(tracks: tracks)
        // RTP over UDP cannot be slowed: the engine drops frames at once when the disk falls behind.
        let transport: IngestTransport = session.transport == .udp && !udp.isEmpty ? .udp : .tcp
        guard let claimed = pull.started(client: "\(session.url.host):\(session.url.port)", transport: transport) else {
            throw IngestError("stream \(pull.name) is already live")
        }
        stream = claimed
        playingSince = clock.now
        lastMedia = clock.now
        pull.note("rtspPlaying", ["transport": .string(session.transport == .tcp ? "tcp" : "udp"),
                                  "tracks": .array(tracks.map { .string($0.format.codec.description) })])
        claimed.deliver(assembler.start())
        self.assembler = assembler
    }

    private mutating func receive(_ payload: [UInt8], sessionTrack: Int, isRTCP: Bool) {
        guard let index = trackMap[sessionTrack], let stream, assembler != nil else { return }
        if isRTCP {
            stream.deliver(assembler!.receiveRTCP(payload, track: index))
            return
        }
        lastMedia = clock.now
        stream.deliver(assembler!.receiveRTP(payload, track: index, arrival: now))
    }

    /// Seconds between our RTCP receiver reports over UDP: cameras that watch RTCP drop a
    /// client that sends none (RFC 3550 6.2 suggests 5 s).
    static let receiverReportInterval: Duration = .seconds(5)

    /// Over UDP, an empty receiver report to each track's RTCP port every few seconds.
    private mutating func sendReceiverReports() {
        guard session.isPlaying, !udp.isEmpty, session.transport == .udp else { return }
        let now = clock.now
        if let due = nextReceiverReport, now < due { return }
        nextReceiverReport = now + Self.receiverReportInterval
        let report = RTCPPacket.emptyReceiverReport(ssrc: ssrc)
        for (i, pair) in udp.enumerated() where i < session.tracks.count {
            guard let ports = session.tracks[i].serverPorts, let port = UInt16(exactly: ports.upperBound) else { continue }
            try? pair.rtcp.send(report, toHost: peerHost, port: Int(port))
        }
    }

    private mutating func drainUDP(_ buffer: inout [UInt8]) {
        for (i, pair) in udp.enumerated() {
            _ = pair.drain(&buffer) { receive($0, sessionTrack: i, isRTCP: $1) }
        }
    }
}

extension RTSPPull {
    /// Seconds of silence after which the camera is gone (the engine's stream silence).
    var engineSilence: Int64 { Int64(silence) }
}
