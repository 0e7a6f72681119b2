import Containers
import Foundation
import MediaCore
import RTSP
import StagingWriter

/// The RTSP push server: publishers (ffmpeg `-f rtsp`, GStreamer's rtspclientsink, encoders)
/// ANNOUNCE an SDP, SETUP each track over TCP (interleaved) or UDP, RECORD, and their RTP
/// becomes the engine's live stream named by the last path segment of the URL, as for RTMP
/// (`rtsp://host:5544/live/cam1` publishes `cam1`).
///
/// One thread per connection (`IngestListener`), up to `Limits.maxConnections`, each running
/// an `RTSPServerSession` and an `RTPStreamAssembler`. The stream ends (files closed, MP4
/// finalized) on TEARDOWN, when the connection closes, or after `idleTimeout` without media.
public enum RTSPIngest {
    public struct Limits: Sendable, Equatable {
        /// Each publisher costs a thread and its buffers.
        public var maxConnections = 64
        /// From connecting to RECORD: clients need well under a second.
        public var setupTimeout: Duration = .seconds(10)
        /// A recording publisher silent this long is gone.
        public var idleTimeout: Duration = .seconds(10)
        /// Publishers must prove these (Digest or Basic); nil: anyone may publish.
        public var credentials: RTSPCredentials?
        public init() {}
    }

    static let readSize = 64 * 1024

    /// The RTSP push listener on `host:port` (0 picks a free one), once started.
    public static func listener(host: String = "0.0.0.0", port: Int = 5544, engine: any IngestSink, limits: Limits = Limits(),
                                log: @escaping @Sendable (String) -> Void = { _ in }) -> IngestListener {
        IngestListener(RTSPPublisherConnection.self, host: host, port: port, maxConnections: limits.maxConnections,
                       name: "rtsp", engine: engine, limits: limits, log: log) { socket in
            try? socket.writeAll(RTSPMessage.response(503, "Service Unavailable", headers: [("CSeq", "0")]).serialized())
        }
    }
}

/// One publisher's connection, on its own thread.
private struct RTSPPublisherConnection: IngestConnection {
    let peer: IngestPeer
    let limits: RTSPIngest.Limits
    var session: RTSPServerSession
    var decoder = RTSPStreamDecoder()
    var assembler: RTPStreamAssembler?
    var tracks: [RTPStreamAssembler.Track] = []
    /// UDP sockets by track (RTP, RTCP), bound at SETUP.
    var udp: [Int: RTPPortPair] = [:]
    /// The live stream, from RECORD on.
    var stream: StreamClaim?
    /// The ANNOUNCE's publish request and the name the publish rules allowed (an auth
    /// callback may rename).
    var publish: (request: PublishRequest, name: String)?
    /// Authorizations that proved no key on this connection. Clients retry each scheme they
    /// were offered (rtspclientsink tries Digest, then Basic): the connection counts as one
    /// failure toward a ban, and ends after `maxKeyAttempts`.
    var keyFailures = 0
    static let maxKeyAttempts = 3
    let clock = ContinuousClock()
    let start: ContinuousClock.Instant

    init(peer: IngestPeer, limits: RTSPIngest.Limits) {
        self.peer = peer
        self.limits = limits
        let random = { HexString.encode((0..<8).map { _ in UInt8.random(in: 0...255) }) }
        session = RTSPServerSession(sessionID: random(), credentials: limits.credentials, nonce: random())
        start = clock.now
    }

    /// Seconds since the connection began: RTP arrival times.
    var now: Double { (clock.now - start).inSeconds }

    mutating func run() {
        socket.setSendTimeout(.seconds(10))
        let reason = serve()
        if let stream {
            if assembler != nil { stream.deliver(assembler!.finish()) }
            stream.end()
        }
        for pair in udp.values { pair.close() }
        logEvent("rtspConnectionClosed", ["reason": .string(reason)])
    }

    private mutating func serve() -> String {
        // For the UDP sockets' datagrams (the connection reads into the decoder's buffer).
        var buffer = [UInt8](repeating: 0, count: RTSPIngest.readSize)
        var lastMedia = clock.now
        while true {
            do {
                guard try socket.readRTSP(into: &decoder, upTo: RTSPIngest.readSize, drainingUDP: !udp.isEmpty) else {
                    return stream == nil ? "client closed the connection" : "client disconnected"
                }
            } catch {
                return "\(error)"
            }
            do {
                while let item = try decoder.next() {
                    switch item {
                    case .message(let request):
                        if let end = try handle(request) {
                            // UDP packets sent just before the TEARDOWN wait in the sockets.
                            _ = drainUDP(&buffer)
                            return end
                        }
                    case let .interleaved(channel, payload):
                        guard let (index, isRTCP) = session.track(forChannel: channel) else { continue }
                        if !isRTCP { lastMedia = clock.now }
                        receive(payload, track: index, isRTCP: isRTCP)
                    }
                }
            } catch {
                return "\(error)"
            }
            if drainUDP(&buffer) { lastMedia = clock.now }
            if stream == nil && clock.now - start > limits.setupTimeout {
                return "no RECORD within \(limits.setupTimeout)"
            }
            if stream != nil && clock.now - lastMedia > limits.idleTimeout {
                return "silent for \(limits.idleTimeout)"
            }
        }
    }

    /// Answers one request; a reason when the connection ends.
    private mutating func handle(_ request: RTSPMessage) throws -> String? {
        if request.method?.uppercased() == "ANNOUNCE" {
            switch authorize(request) {
            case .allow(let request, let name):
                publish = (request, name)
            case .refuse(let answer, let end):
                try socket.writeAll(answer.serialized())
                return end
            }
        }
        var allocated: (pair: RTPPortPair, ports: ClosedRange<Int>)?
        let (response, event) = session.handle(request) { _ in
            guard let pair = try? RTPPortPair.bind() else { return nil }
            guard let ports = try? pair.ports() else { pair.close(); return nil }
            allocated = (pair, ports)
            return ports
        }
        if let allocated {
            if response.status == 200, let index = session.transports.lastIndex(where: { $0?.serverPorts == allocated.ports }) {
                udp[index] = allocated.pair
            } else {
                allocated.pair.close()
            }
        }
        var outcome: String?
        switch event {
        case let .announced(name, announced, skipped)?:
            tracks = announced.filter { StagingFormat.storableCodecs.contains($0.format.codec) }
            for track in announced where !tracks.contains(track) {
                logEvent("rtspTrackSkipped", ["stream": .string(name), "reason": .string("\(track.format.codec) cannot be recorded yet")])
            }
            for reason in skipped { logEvent("rtspTrackSkipped", ["stream": .string(name), "reason": .string(reason)]) }
            logEvent("rtspAnnounce", ["stream": .string(name), "tracks": .array(announced.map { .string($0.format.codec.description) })])
        case .recording?:
            guard let (publishRequest, name) = publish else { break }
            guard case .success(let claimed) = StreamClaim.claim(name, for: publishRequest, source: "rtsp", clientAddress: client,
                                                                 transport: udp.isEmpty ? .tcp : .udp, sink: engine) else {
                try socket.writeAll(RTSPMessage.response(453, "Not Enough Bandwidth", headers: [("CSeq", request["CSeq"] ?? "0")]).serialized())
                return "stream \(name) is already live"
            }
            stream = claimed
            var assembler = try RTPStreamAssembler(tracks: tracks)
            claimed.deliver(assembler.start())
            self.assembler = assembler
            logEvent("rtspRecord", ["stream": .string(name)])
        case .teardown?:
            outcome = "TEARDOWN"
        case nil:
            break
        }
        try socket.writeAll(response.serialized())
        return outcome
    }

    private enum Authorization {
        case allow(PublishRequest, String)
        /// The answer to send, and why the connection ends (nil: it goes on, as after a 401
        /// that asks for credentials).
        case refuse(RTSPMessage, String?)
    }

    /// The publish rules for an ANNOUNCE (RecorderEngine.authorizePublish): the name is the
    /// URL's last path segment, the key the password of `rtsp://user:KEY@host/app/name`. A
    /// name that needs a key gets the session's 401 until an Authorization proves one (Digest
    /// or Basic, any user name); a wrong one counts as a failure. Refusals end the connection
    /// with 403.
    private mutating func authorize(_ request: RTSPMessage) -> Authorization {
        guard let uri = request.uri, let url = try? RTSPURL(parsing: uri), let name = url.lastPathSegment else {
            // The session answers 400.
            return .allow(PublishRequest(ingestProtocol: .rtsp, app: "", name: session.streamName ?? "", clientAddress: socket.peerAddress()), session.streamName ?? "")
        }
        let split = PublishRequest.splitQuery(url.pathAndQuery)
        var segments = split.path.split(separator: "/").map(String.init)
        if !segments.isEmpty { segments.removeLast() }
        var publish = PublishRequest(ingestProtocol: .rtsp, app: segments.joined(separator: "/"), name: name,
                                     clientAddress: socket.peerAddress(), query: split.query)
        let keys = engine.requiredPublishKeys(for: name)
        // A key given as `?key=` in the URL is checked by the publish rules like RTMP's; the URL's
        // user and password may then be the server's own --rtsp-user credential.
        let keyInQuery = publish.query.contains { $0.name == "key" }
        if !keys.isEmpty && !keyInQuery {
            guard let proven = session.provenCredentials(request, passwords: keys) else {
                guard request["Authorization"] != nil else { return .refuse(session.unauthorizedResponse(to: request), nil) }
                keyFailures += 1
                if keyFailures == 1 { engine.notePublishRefused(publish, PublishRefusal(.keyWrong, "wrong publish key for \(name)")) }
                return .refuse(session.unauthorizedResponse(to: request),
                               keyFailures >= Self.maxKeyAttempts ? "\(keyFailures) wrong publish keys" : nil)
            }
            publish.credentials = proven
        }
        switch engine.authorizePublish(publish) {
        case .allow(let allowed):
            return .allow(publish, allowed)
        case .refuse(let refusal):
            logEvent("rtspPublishRefused", ["stream": .string(name), "reason": .string(refusal.detail)])
            let status = refusal.reason == .nameInUse || refusal.reason == .nameInvalid ? (400, "Bad Request") : (403, "Forbidden")
            return .refuse(.response(status.0, status.1, headers: [("CSeq", request["CSeq"] ?? "0"), ("Server", "StreamRecorder")]),
                           "publish refused")
        }
    }

    /// `index` is the session's (ANNOUNCE order); the assembler has the recordable ones only.
    private mutating func receive(_ payload: [UInt8], track index: Int, isRTCP: Bool) {
        guard let stream, assembler != nil, index < session.tracks.count,
              let mapped = tracks.firstIndex(of: session.tracks[index]) else { return }
        if isRTCP {
            stream.deliver(assembler!.receiveRTCP(payload, track: mapped))
            return
        }
        stream.deliver(assembler!.receiveRTP(payload, track: mapped, arrival: now))
    }

    /// Reads what the UDP sockets hold; true when RTP came.
    private mutating func drainUDP(_ buffer: inout [UInt8]) -> Bool {
        var media = false
        for (index, pair) in udp {
            if pair.drain(&buffer, { receive($0, track: index, isRTCP: $1) }) { media = true }
        }
        return media
    }
}
