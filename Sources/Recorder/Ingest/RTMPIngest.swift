import Containers
import Foundation
import MediaCore
import RTMP
#if canImport(Glibc)
import Glibc
#endif

/// The RTMP ingest: publishers (ffmpeg, OBS, encoders) connect, `publish` a name, and their
/// audio and video become the engine's live stream of that name, the `localStreamName` that
/// record configs match. The app in the URL does not name the stream (`rtmp://host/live/cam1`
/// and `rtmp://host/other/cam1` both publish `cam1`); a query string (`cam1?key=x`, or on the
/// app: `rtmp://host/live?key=x/cam1`) carries the publish key and other arguments to
/// `RecorderEngine.authorizePublish`, which decides before the stream is created. A refusal
/// is onStatus NetStream.Publish.Unauthorized (or BadName), then the connection closes.
///
/// One thread per connection (`IngestListener`), up to `Limits.maxConnections`. Each runs an
/// `RTMPServerSession` over its socket; media messages go through `FLVTagDemuxer` (an RTMP
/// media message body is an FLV tag body) to `RecorderEngine.streamEvent`, with the 32-bit
/// millisecond timestamps unwrapped and their jumps closed (`TimelineNormalizer`). A name already live is refused with onStatus
/// NetStream.Publish.BadName. The stream ends cleanly (files closed, MP4 finalized) on
/// FCUnpublish/deleteStream, when the client disconnects, when it is silent for
/// `idleTimeout`, and when its bytes cannot be parsed; each connection's end is one log line
/// saying why (`rtmpConnectionClosed`, JSON like the engine's events), and nothing of it
/// touches other connections.
public enum RTMPIngest {
    public struct Limits: Sendable, Equatable {
        /// Each publisher costs a thread and up to `session.chunk.maxBufferedBytes` of memory.
        public var maxConnections = 64
        /// From connecting to an accepted publish: real clients need well under a second; a
        /// client that has not published by then (silent, or a byte at a time) loses its slot.
        public var setupTimeout: Duration = .seconds(10)
        /// A publishing client silent this long is gone: its stream ends.
        public var idleTimeout: Duration = .seconds(10)
        /// A client that stops reading our few answers loses its slot after this.
        public var writeTimeout: Duration = .seconds(10)
        /// Message size and chunk stream limits, as named constants there.
        public var session = RTMPServerSession.Limits()

        public init() {}
    }

    /// One read takes what the kernel has, up to this: a few frames of a high-bitrate stream.
    /// Each read gets storage of this size (the session's buffer takes it over).
    static let readSize = 64 * 1024
    /// A read that filled its storage doubles the next one, up to this: a publisher pushing
    /// faster than real time is read in few system calls, a live one keeps small storage.
    static let maxReadSize = 1024 * 1024
    /// Once publishing, a read waits in the kernel until this many bytes are there or
    /// `batchHold` has passed: a live publisher sends each frame on its own (70 a second for
    /// 25 fps video and 48 kHz AAC), and reading each alone costs a wake-up and a delivery per
    /// frame; in batches, one wake-up and one delivery take several. A push faster than real
    /// time fills it at once and is not held.
    static let batchBytes = 32 * 1024
    /// How long a live publisher's bytes may wait in the kernel for a batch: 2-3 frames at
    /// 25 fps. Its writer drains each batch at once (no 50 ms drain timer behind it), so a
    /// frame reaches the page cache about as soon as before, well inside the kill -9 loss
    /// bound (docs/reliability.md); the read's deadline (silence) is still kept exactly.
    static let batchHold: Duration = .milliseconds(100)
    /// The live streams' `source`: their events come in read batches (`batchBytes`).
    static let sourceName = "rtmp"
    /// Damaged media bodies logged per connection; later ones are only counted.
    static let loggedBadTags = 3

    /// The RTMP listener on `host:port` (0 picks a free one), once started.
    public static func listener(host: String = "0.0.0.0", port: Int = 1935, engine: any IngestSink, limits: Limits = Limits(),
                                log: @escaping @Sendable (String) -> Void = { _ in }) -> IngestListener {
        IngestListener(RTMPConnection.self, host: host, port: port, maxConnections: limits.maxConnections, name: "rtmp",
                       engine: engine, limits: limits, log: log) { socket in
            // Before the handshake there is no RTMP way to say "busy": the close says it.
            log(EventLine.text("rtmpConnectionRefused", ["client": JSONValue(socket.peerAddress()),
                                                         "reason": .string("\(limits.maxConnections) connections open")]))
        }
    }
}

/// One client connection, on its own thread: reads with deadlines, drives the session, feeds
/// the engine, and ends the stream whatever way the connection ends.
private struct RTMPConnection: IngestConnection {
    let peer: IngestPeer
    let limits: RTMPIngest.Limits

    private struct Publisher {
        /// The live stream's name (the callback may have renamed it) and the hold on it.
        let stream: StreamClaim
        var name: String { stream.name }
        /// The name as the session knows it (what FCUnpublish and deleteStream name).
        let requestedName: String
        /// Unwraps the message clock and closes its jumps, as for FLV files.
        var demuxer = FLVTagDemuxer()
        var badTags = 0
        /// Events of the messages parsed from one read, delivered together (one stream lock,
        /// one lookup, one hand-off per read instead of per frame).
        var pending: [DemuxEvent] = []

        /// Hands the pending events to the stream.
        mutating func deliverPending() {
            guard !pending.isEmpty else { return }
            stream.deliver(pending)
            pending.removeAll(keepingCapacity: true)
        }
    }

    private var session: RTMPServerSession
    /// From `connect`: the app (query included, as sent) and tcUrl.
    private var connectedApp = ""
    private var tcUrl: String?
    private var publisher: Publisher?
    private var hasPublished = false
    private var refused = false
    /// Our write found the connection closed by the client; its bytes are still read.
    private var peerClosed = false

    init(peer: IngestPeer, limits: RTMPIngest.Limits) {
        self.peer = peer
        self.limits = limits
        session = RTMPServerSession(limits: limits.session)
    }

    mutating func run() {
        socket.setSendTimeout(limits.writeTimeout)
        let reason = serve()
        if let publisher {
            publisher.stream.end()
            if publisher.badTags > 0 {
                logEvent("rtmpMediaDroppedTotal", ["stream": .string(publisher.name), "count": .int(publisher.badTags)])
            }
        }
        logEvent("rtmpConnectionClosed", ["reason": .string(reason)])
    }

    /// Runs until the connection ends; returns why.
    private mutating func serve() -> String {
        let setupDeadline = ContinuousClock.now + limits.setupTimeout
        var readSize = RTMPIngest.readSize
        let socket = peer.socket  // read inside the session's push, which holds `self` exclusively
        var timeout = ReceiveTimeout()
        var batching = false
        while true {
            if hasPublished && !batching {
                batching = true
                socket.setReceiveLowWater(RTMPIngest.batchBytes)
                timeout.longestBlock = RTMPIngest.batchHold
            }
            let deadline = hasPublished ? ContinuousClock.now + limits.idleTimeout : setupDeadline
            // Read straight into the session's buffer: the bytes are not copied on their way in.
            let result = session.push(upTo: readSize) { buffer in
                let result = Result { () throws(SocketError) in try socket.read(into: buffer, deadline: deadline, timeout: &timeout) }
                if case .success(.bytes(let n)) = result { return (n, result) }
                return (0, result)
            }
            switch result {
            case .success(.bytes(let n)):
                readSize = n == readSize ? min(2 * readSize, RTMPIngest.maxReadSize) : RTMPIngest.readSize
            case .success(.endOfStream):
                return publisher == nil ? "client closed the connection" : "client disconnected without unpublishing"
            case .success(.timedOut):
                return hasPublished ? "silent for \(limits.idleTimeout)" : "no publish within \(limits.setupTimeout)"
            case .failure(let error):
                return "\(error)"
            }
            var failure: String?
            do {
                while let event = try session.nextEvent() { handle(event) }
            } catch {
                failure = error.description
            }
            publisher?.deliverPending()
            let output = session.takeOutput()
            if !output.isEmpty && !peerClosed {
                do {
                    try socket.writeAll(output)
                } catch where error.errno == EPIPE || error.errno == ECONNRESET {
                    // The client has closed, maybe right after its last bytes, which may still
                    // wait in our receive queue: read them to the end (the kernel reports the
                    // reset only after them), and send nothing more.
                    peerClosed = true
                } catch {
                    return failure ?? "\(error)"
                }
            }
            if let failure { return failure }
            if refused {
                // Let the client read the refusal before the close (a reset could destroy it).
                socket.shutdownWrite()
                socket.discardInput()
                return "publish refused"
            }
        }
    }

    private mutating func handle(_ event: RTMPServerEvent) {
        switch event {
        case let .connected(app, tcUrl):
            connectedApp = app
            self.tcUrl = tcUrl
            logEvent("rtmpConnect", ["app": .string(PublishSecrets.redacted(app)), "tcUrl": JSONValue(tcUrl.map(PublishSecrets.redacted))])
        case let .publishRequested(requestedName, rawName, _):
            let request = publishRequest(rawName: rawName, name: requestedName)
            let name: String
            switch engine.authorizePublish(request) {
            case .allow(let allowed):
                name = allowed
            case .refuse(let refusal):
                refuse(refusal, stream: requestedName)
                return
            }
            let stream: StreamClaim
            switch StreamClaim.claim(name, for: request, source: RTMPIngest.sourceName, clientAddress: client, sink: engine) {
            case .success(let claimed):
                stream = claimed
            case .failure(let refusal):
                refuse(refusal, stream: name)
                return
            }
            session.acceptPublish()
            publisher = Publisher(stream: stream, requestedName: requestedName)
            hasPublished = true
            logEvent("rtmpPublish", ["stream": .string(name)].merging(name == requestedName ? [:] : ["requested": .string(requestedName)]) { $1 })
        case let .media(kind, timestamp, body):
            guard publisher != nil, !body.isEmpty else { return }
            let events: [DemuxEvent]
            do {
                events = try publisher!.demuxer.demuxArriving(kind, timestamp: timestamp, body: body)
            } catch {
                publisher!.badTags += 1
                if publisher!.badTags <= RTMPIngest.loggedBadTags {
                    logEvent("rtmpMediaDropped", ["stream": .string(publisher!.name), "kind": .string("\(kind)"),
                                               "timestamp": .int(Int(timestamp)), "error": .string("\(error)")])
                }
                return
            }
            publisher!.pending += events
        case let .unpublished(name):
            guard var publisher, publisher.requestedName == name else { return }
            publisher.deliverPending()
            publisher.stream.end()
            self.publisher = nil
            logEvent("rtmpUnpublish", ["stream": .string(publisher.name)])
        }
    }

    /// What the authorizer needs: app and name without their queries, the query arguments of
    /// tcUrl, then of the app, then of the publish name (a later `key` wins), the client.
    private func publishRequest(rawName: String, name: String) -> PublishRequest {
        let app = PublishRequest.splitQuery(connectedApp)
        let fromURL = tcUrl.map { PublishRequest.splitQuery($0).query } ?? []
        // nginx-rtmp style `rtmp://host/live?key=x/cam1`: ffmpeg sends app "live?key=x/".
        var appQuery = app.query
        if let last = appQuery.last, last.value.hasSuffix("/") {
            appQuery[appQuery.count - 1].value.removeLast()
        }
        return PublishRequest(ingestProtocol: .rtmp, app: app.path, name: name, clientAddress: socket.peerAddress(),
                              query: fromURL + appQuery + PublishRequest.splitQuery(rawName).query, tcUrl: tcUrl)
    }

    /// Answers the refusal (the connection closes after it) and logs it; the engine has
    /// published the publishRefused event.
    private mutating func refuse(_ refusal: PublishRefusal, stream: String) {
        session.rejectPublish(code: refusal.reason.rtmpStatusCode, description: refusal.detail)
        logEvent("rtmpPublishRefused", ["stream": .string(stream), "reason": .string(refusal.detail)])
        refused = true
    }
}
