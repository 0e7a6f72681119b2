import MediaCore

/// The server side of an RTSP publisher's connection (RFC 2326 10.3, 10.11: ANNOUNCE and
/// RECORD), without I/O: each request in, its response and what it means for the recorder
/// out. The stream name is the last segment of the ANNOUNCE URL's path, as for RTMP
/// (`rtsp://host:5544/live/cam1` publishes `cam1`).
///
/// With credentials set, every request but OPTIONS needs an Authorization that proves them;
/// the 401 offers Digest (MD5, qop=auth) and Basic, so ffmpeg and GStreamer both get in.
public struct RTSPServerSession: Sendable {
    public enum Event: Sendable, Equatable {
        /// ANNOUNCE accepted: the stream's name and the tracks it will send.
        case announced(name: String, tracks: [RTPStreamAssembler.Track], skipped: [String])
        /// RECORD accepted: media follows.
        case recording
        case teardown
    }

    public let sessionID: String
    private let credentials: RTSPCredentials?
    private let challenges: [AuthenticationChallenge]
    public private(set) var streamName: String?
    public private(set) var tracks: [RTPStreamAssembler.Track] = []
    private var controls: [String] = []
    /// Per track: interleaved channels (TCP) or the client's UDP ports.
    public private(set) var transports: [RTSPTransport?] = []
    public private(set) var isRecording = false
    /// The session timeout we announce (seconds); a silent publisher is gone after it.
    public static let timeout = 60

    public init(sessionID: String, credentials: RTSPCredentials? = nil, nonce: String, realm: String = "StreamRecorder") {
        self.sessionID = sessionID
        self.credentials = credentials
        challenges = [AuthenticationChallenge(scheme: "digest", parameters: ["realm": realm, "nonce": nonce, "qop": "auth"]),
                      AuthenticationChallenge(scheme: "basic", parameters: ["realm": realm])]
    }

    /// Who `request`'s Authorization proves to be, given the passwords that would do (publish
    /// keys: any user name goes): the user and the password it proved; nil when it has no
    /// Authorization or proves none of them. Digest never carries the password, so the
    /// caller names the candidates and this checks each against the challenges we issued.
    public func provenCredentials(_ request: RTSPMessage, passwords: [String]) -> RTSPCredentials? {
        guard let header = request["Authorization"], let method = request.method?.uppercased(),
              let presented = AuthenticationChallenge(parsing: header) else { return nil }
        let user: String
        switch presented.scheme {
        case "digest":
            guard let name = presented.parameters["username"] else { return nil }
            user = name
        case "basic":
            guard let token = header.split(separator: " ", maxSplits: 1).last,
                  let decoded = Base64.decode(token.trimmingSpaces) else { return nil }
            user = String(String(decoding: decoded, as: UTF8.self).prefix { $0 != ":" })
        default:
            return nil
        }
        // Every candidate is checked, so the time taken does not say which one came close.
        var proven: RTSPCredentials?
        for password in passwords {
            let candidate = RTSPCredentials(user: user, password: password)
            if candidate.verifies(header, method: method, challenges: challenges) && proven == nil { proven = candidate }
        }
        return proven
    }

    /// The 401 that asks `request`'s sender for credentials (Digest and Basic offered).
    public func unauthorizedResponse(to request: RTSPMessage) -> RTSPMessage {
        .response(401, "Unauthorized", headers: [("CSeq", request["CSeq"] ?? "0"), ("Server", "StreamRecorder")]
                    + challenges.map { ("WWW-Authenticate", $0.headerValue) })
    }

    /// The response to `request` and the event it causes. `allocateUDPPorts(track)` binds the
    /// server's RTP/RTCP ports for a UDP SETUP (nil: 461, the client retries over TCP).
    public mutating func handle(_ request: RTSPMessage, allocateUDPPorts: (Int) -> ClosedRange<Int>?) -> (RTSPMessage, Event?) {
        guard let method = request.method?.uppercased() else { return (.response(400, "Bad Request"), nil) }
        var headers: [(name: String, value: String)] = [("CSeq", request["CSeq"] ?? "0"), ("Server", "StreamRecorder")]
        func answer(_ status: Int, _ reason: String, _ extra: [(name: String, value: String)] = [], _ event: Event? = nil) -> (RTSPMessage, Event?) {
            (.response(status, reason, headers: headers + extra), event)
        }
        if let credentials, method != "OPTIONS",
           !(request["Authorization"].map { credentials.verifies($0, method: method, challenges: challenges) } ?? false) {
            return answer(401, "Unauthorized", challenges.map { ("WWW-Authenticate", $0.headerValue) })
        }
        if method != "OPTIONS" && method != "ANNOUNCE" { headers.append(("Session", "\(sessionID);timeout=\(Self.timeout)")) }
        switch method {
        case "OPTIONS":
            return answer(200, "OK", [("Public", "OPTIONS, ANNOUNCE, SETUP, RECORD, TEARDOWN, GET_PARAMETER, SET_PARAMETER")])
        case "ANNOUNCE":
            guard let uri = request.uri, let url = try? RTSPURL(parsing: uri), let name = url.lastPathSegment else {
                return answer(400, "Bad Request")
            }
            guard let sdp = try? SessionDescription(parsing: request.body) else { return answer(400, "Bad Request") }
            var skipped: [String] = []
            tracks = []
            controls = []
            for media in sdp.media where media.media == "video" || media.media == "audio" {
                do {
                    tracks.append(.init(trackID: UInt32(tracks.count + 1), format: try RTPTrackFormat(media: media)))
                    controls.append(RTSPURL.resolve(control: media.control ?? "*", base: url.description))
                } catch {
                    skipped.append("\(error)")
                }
            }
            guard !tracks.isEmpty else { return answer(415, "Unsupported Media Type") }
            transports = Array(repeating: nil, count: tracks.count)
            streamName = name
            return answer(200, "OK", [], .announced(name: name, tracks: tracks, skipped: skipped))
        case "SETUP":
            guard !tracks.isEmpty, let header = request["Transport"], var transport = RTSPTransport(parsing: header) else {
                return answer(tracks.isEmpty ? 455 : 461, tracks.isEmpty ? "Method Not Valid in This State" : "Unsupported Transport")
            }
            guard let index = trackIndex(for: request.uri ?? "") else { return answer(404, "Not Found") }
            if transport.isTCP {
                transport.interleaved = transport.interleaved ?? (2 * index)...(2 * index + 1)
            } else {
                guard transport.clientPorts != nil, let ports = allocateUDPPorts(index) else { return answer(461, "Unsupported Transport") }
                transport.serverPorts = ports
            }
            transport.mode = "record"
            transports[index] = transport
            return answer(200, "OK", [("Transport", transport.headerValue)])
        case "RECORD":
            guard streamName != nil, transports.contains(where: { $0 != nil }) else { return answer(455, "Method Not Valid in This State") }
            isRecording = true
            return answer(200, "OK", [], .recording)
        case "TEARDOWN":
            return answer(200, "OK", [], .teardown)
        case "GET_PARAMETER", "SET_PARAMETER":
            return answer(200, "OK")
        default:
            return answer(501, "Not Implemented")
        }
    }

    /// The track a SETUP URL names: its resolved control URL or a URL ending in its control;
    /// else the first track not yet set up (clients that send the aggregate URL).
    private func trackIndex(for uri: String) -> Int? {
        let target = (try? RTSPURL(parsing: uri))?.description ?? uri
        if let i = controls.firstIndex(of: target) { return i }
        if let i = controls.firstIndex(where: { target.hasSuffix("/" + ($0.split(separator: "/").last ?? "")) }) { return i }
        return transports.firstIndex { $0 == nil }
    }

    /// The track whose RTP (`isRTCP` false) or RTCP arrives on interleaved `channel`.
    public func track(forChannel channel: UInt8) -> (index: Int, isRTCP: Bool)? {
        for (i, t) in transports.enumerated() {
            guard let c = t?.interleaved else { continue }
            if Int(channel) == c.lowerBound { return (i, false) }
            if Int(channel) == c.upperBound && c.upperBound != c.lowerBound { return (i, true) }
        }
        return nil
    }
}

extension AuthenticationChallenge {
    /// As a WWW-Authenticate value.
    public var headerValue: String {
        let fields = parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }
        return (scheme == "digest" ? "Digest" : scheme == "basic" ? "Basic" : scheme) + " " + fields.joined(separator: ", ")
    }
}
