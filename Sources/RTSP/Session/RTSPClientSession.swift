/// The client side of RTSP playback (RFC 2326 section 10) as a state machine without I/O:
/// OPTIONS, DESCRIBE, a SETUP per recordable track, PLAY, then keepalives. The caller sends
/// what `start()` and `handle(_:now:)` return, feeds every response in, and calls
/// `tick(now:)` now and then for the keepalive.
///
/// Camera quirks handled: a CSeq missing or wrong in a response (we have one request in
/// flight, so any response answers it); a 401 answered once per request with the strongest
/// challenge offered; 3xx redirects (the caller reconnects to `.redirect`); interleaved
/// channels chosen by the server; a Session header with `;timeout=` (keepalive at the timeout
/// minus a margin, so short timeouts like 20 s hold); keepalives whose answers never come.
public struct RTSPClientSession: Sendable {
    public enum Transport: Sendable, Equatable {
        /// RTP and RTCP interleaved on the RTSP connection (what recording wants by default).
        case tcp
        /// RTP and RTCP on UDP; the caller gives client ports after DESCRIBE.
        case udp
    }

    public enum Action: Sendable, Equatable {
        case send(RTSPMessage)
        /// The caller binds a pair of UDP ports per track and calls `useUDPPorts`.
        case needUDPPorts(trackCount: Int)
        /// The server moved the stream: connect again to this URL.
        case redirect(String)
        /// PLAY succeeded: RTP flows.
        case playing
    }

    /// A track being set up or played.
    public struct SessionTrack: Sendable, Equatable {
        public var format: RTPTrackFormat
        public var controlURL: String
        /// Interleaved RTP/RTCP channels (TCP).
        public var channels: ClosedRange<Int>?
        /// Our UDP ports and the server's (UDP).
        public var clientPorts: ClosedRange<Int>?
        public var serverPorts: ClosedRange<Int>?
    }

    enum State: Equatable { case idle, options, describe, setup(Int), play, playing }

    public let url: RTSPURL
    public private(set) var transport: Transport
    public var userAgent = "StreamRecorder"
    private var credentials: RTSPCredentials?
    private var state = State.idle
    private var cseq = 0
    /// The request in flight (one at a time) and whether it already carried credentials.
    private var pending: RTSPMessage?
    private var pendingAuthorized = false
    private var challenge: AuthenticationChallenge?
    private var nonceCount = 0
    private var supportsGetParameter = false
    public private(set) var sessionID: String?
    /// Seconds: the server's `;timeout=`, 60 when absent (RFC 2326 12.37).
    public private(set) var sessionTimeout = 60
    private var nextKeepalive: Double = .infinity
    public private(set) var tracks: [SessionTrack] = []
    /// Lines naming each m-line that cannot be recorded (skipped, once).
    public private(set) var skippedTracks: [String] = []
    public private(set) var redirects = 0
    private var baseURL: String

    /// Redirects followed before giving up (a loop between two servers).
    public static let maxRedirects = 5
    /// Keepalive margin before the session timeout.
    static func keepaliveInterval(timeout: Int) -> Double {
        Double(max(timeout - 15, timeout / 2, 1))
    }

    /// The cnonce of Digest answers; random per session in practice.
    public var clientNonce: String

    public init(url: RTSPURL, transport: Transport = .tcp, clientNonce: String, redirects: Int = 0) {
        self.url = url
        self.transport = transport
        self.clientNonce = clientNonce
        self.redirects = redirects
        baseURL = url.description
        if let user = url.user { credentials = RTSPCredentials(user: user, password: url.password ?? "") }
    }

    public var isPlaying: Bool { state == .playing }

    public mutating func start() -> [Action] {
        state = .options
        return [.send(request("OPTIONS", url.description))]
    }

    private mutating func request(_ method: String, _ uri: String, _ extra: [(name: String, value: String)] = []) -> RTSPMessage {
        cseq += 1
        var headers: [(name: String, value: String)] = [("CSeq", "\(cseq)"), ("User-Agent", userAgent)]
        if let sessionID, method != "OPTIONS" || state == .playing { headers.append(("Session", sessionID)) }
        headers += extra
        var message = RTSPMessage.request(method, uri, headers: headers)
        pendingAuthorized = false
        if let challenge, let credentials,
           let value = credentials.authorization(for: challenge, method: method, uri: uri, nonceCount: nonceCount + 1, cnonce: clientNonce) {
            nonceCount += 1
            message.headers.append(("Authorization", value))
            pendingAuthorized = true
        }
        if state != .playing { pending = message }
        return message
    }

    /// A response from the server. Throws when the session cannot go on.
    public mutating func handle(_ response: RTSPMessage, now: Double) throws(RTSPError) -> [Action] {
        guard let status = response.status else {
            // A server's request (ANNOUNCE, GET_PARAMETER, SET_PARAMETER): answer 200 or 501.
            let known = ["GET_PARAMETER", "SET_PARAMETER", "OPTIONS"].contains(response.method ?? "")
            var headers: [(name: String, value: String)] = [("CSeq", response["CSeq"] ?? "0")]
            if let sessionID { headers.append(("Session", sessionID)) }
            return [.send(.response(known ? 200 : 501, known ? "OK" : "Not Implemented", headers: headers))]
        }
        guard let request = pending, let method = request.method else { return [] }  // a keepalive's answer
        if status == 401 {
            guard !pendingAuthorized, credentials != nil,
                  let offered = RTSPCredentials.preferredChallenge(response.values("WWW-Authenticate")) else {
                throw .unauthorized(credentials == nil ? "the server wants credentials and the URL has none" : "the server refused the credentials")
            }
            challenge = offered
            nonceCount = 0
            return [.send(resend(request))]
        }
        if (300..<400).contains(status), let location = response["Location"] {
            guard redirects < Self.maxRedirects else { throw .protocolViolation("more than \(Self.maxRedirects) redirects") }
            return [.redirect(location)]
        }
        if status == 461, transport == .udp, case .setup(let index) = state {
            // Unsupported Transport: cameras that only stream interleaved.
            transport = .tcp
            return [.send(setup(index))]
        }
        guard (200..<300).contains(status) else {
            throw .requestFailed(method: method, status: status, reason: response.startLine.reasonPhrase)
        }
        pending = nil
        switch state {
        case .options:
            supportsGetParameter = (response["Public"] ?? "").uppercased().contains("GET_PARAMETER")
            state = .describe
            return [.send(self.request("DESCRIBE", url.description, [("Accept", "application/sdp")]))]
        case .describe:
            try takeDescription(response)
            if transport == .udp { return [.needUDPPorts(trackCount: tracks.count)] }
            state = .setup(0)
            return [.send(setup(0))]
        case .setup(let index):
            try takeSetup(response, index: index)
            if index + 1 < tracks.count {
                state = .setup(index + 1)
                return [.send(setup(index + 1))]
            }
            state = .play
            return [.send(self.request("PLAY", sessionURL, [("Range", "npt=0.000-")]))]
        case .play:
            state = .playing
            nextKeepalive = now + Self.keepaliveInterval(timeout: sessionTimeout)
            return [.playing]
        case .idle, .playing:
            return []
        }
    }

    /// The ports the caller bound, one RTP/RTCP pair per track, in track order.
    public mutating func useUDPPorts(_ ports: [ClosedRange<Int>]) -> [Action] {
        for (i, range) in ports.enumerated() where i < tracks.count { tracks[i].clientPorts = range }
        state = .setup(0)
        return [.send(setup(0))]
    }

    /// A keepalive when due (GET_PARAMETER when the server lists it, else OPTIONS); its
    /// answer is not awaited.
    public mutating func tick(now: Double) -> [Action] {
        guard state == .playing, now >= nextKeepalive else { return [] }
        nextKeepalive = now + Self.keepaliveInterval(timeout: sessionTimeout)
        return [.send(request(supportsGetParameter ? "GET_PARAMETER" : "OPTIONS", sessionURL))]
    }

    /// TEARDOWN, to send before closing.
    public mutating func teardown() -> RTSPMessage {
        request("TEARDOWN", sessionURL)
    }

    /// The track whose RTP (`isRTCP` false) or RTCP arrives on interleaved `channel`.
    public func track(forChannel channel: UInt8) -> (index: Int, isRTCP: Bool)? {
        for (i, t) in tracks.enumerated() {
            guard let c = t.channels else { continue }
            if Int(channel) == c.lowerBound { return (i, false) }
            if Int(channel) == c.upperBound && c.upperBound != c.lowerBound { return (i, true) }
        }
        return nil
    }

    private var sessionURL: String {
        // The aggregate control URL: the session's a=control, or the base.
        baseURL
    }

    private mutating func resend(_ request: RTSPMessage) -> RTSPMessage {
        let extra = request.headers.filter { !["cseq", "user-agent", "session", "authorization"].contains($0.name.lowercased()) }
        return self.request(request.method ?? "OPTIONS", request.uri ?? url.description, extra)
    }

    private mutating func setup(_ index: Int) -> RTSPMessage {
        let value: String
        switch transport {
        case .tcp:
            value = RTSPTransport(isTCP: true, interleaved: (2 * index)...(2 * index + 1)).headerValue
        case .udp:
            value = RTSPTransport(isTCP: false, clientPorts: tracks[index].clientPorts).headerValue
        }
        return request("SETUP", tracks[index].controlURL, [("Transport", value)])
    }

    private mutating func takeDescription(_ response: RTSPMessage) throws(RTSPError) {
        let sdp = try SessionDescription(parsing: response.body)
        // Content-Base, then Content-Location, then the request URL (RFC 2326 C.1.1).
        let base = response["Content-Base"] ?? response["Content-Location"] ?? url.description
        let cleanBase = (try? RTSPURL(parsing: base))?.description ?? url.description
        baseURL = RTSPURL.resolve(control: sdp.control ?? "*", base: cleanBase)
        for media in sdp.media where media.media == "video" || media.media == "audio" {
            do {
                let format = try RTPTrackFormat(media: media)
                tracks.append(SessionTrack(format: format, controlURL: RTSPURL.resolve(control: media.control ?? "*", base: cleanBase)))
            } catch {
                skippedTracks.append("\(error)")
            }
        }
        guard !tracks.isEmpty else {
            throw .noUsableTracks(skippedTracks.isEmpty ? "the SDP has no audio or video" : skippedTracks.joined(separator: "; "))
        }
    }

    private mutating func takeSetup(_ response: RTSPMessage, index: Int) throws(RTSPError) {
        if let id = response.sessionID, !id.isEmpty {
            sessionID = id
            if let timeout = response.sessionTimeout, timeout > 0 { sessionTimeout = timeout }
        }
        guard let header = response["Transport"], let answer = RTSPTransport(parsing: header) else {
            // Cameras that omit the Transport answer: assume they took ours.
            if transport == .tcp { tracks[index].channels = (2 * index)...(2 * index + 1) }
            return
        }
        if answer.isTCP || transport == .tcp {
            transport = .tcp
            tracks[index].channels = answer.interleaved ?? (2 * index)...(2 * index + 1)
        } else {
            tracks[index].serverPorts = answer.serverPorts
        }
    }
}

extension RTSPMessage.StartLine {
    var reasonPhrase: String {
        if case let .response(_, reason) = self { return reason }
        return ""
    }
}
