/// Why RTSP input was refused or a session cannot go on; each case says what and where.
public enum RTSPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A message line or header that does not parse.
    case malformedMessage(String)
    /// A size beyond a named limit.
    case limitExceeded(what: String, size: Int, limit: Int)
    case malformedSDP(line: Int, reason: String)
    case malformedRTP(String)
    case malformedURL(String)
    /// A payload the depacketizer of `codec` cannot use (it drops the frame).
    case malformedPayload(codec: String, reason: String)
    /// The server answered `status` to `method`.
    case requestFailed(method: String, status: Int, reason: String)
    /// The server asks for credentials we do not have or refused them.
    case unauthorized(String)
    /// Nothing in the SDP can be recorded.
    case noUsableTracks(String)
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .malformedMessage(let why): return "RTSP message: \(why)"
        case let .limitExceeded(what, size, limit): return "RTSP: \(what) of \(size) bytes exceeds the limit \(limit)"
        case let .malformedSDP(line, reason): return "SDP line \(line): \(reason)"
        case .malformedRTP(let why): return "RTP: \(why)"
        case .malformedURL(let why): return "RTSP URL: \(why)"
        case let .malformedPayload(codec, reason): return "\(codec) RTP payload: \(reason)"
        case let .requestFailed(method, status, reason): return "RTSP \(method) answered \(status) \(reason)"
        case .unauthorized(let why): return "RTSP authentication: \(why)"
        case .noUsableTracks(let why): return "RTSP: no track can be recorded (\(why))"
        case .protocolViolation(let why): return "RTSP: \(why)"
        }
    }
}
