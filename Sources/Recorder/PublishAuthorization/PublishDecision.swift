/// What the authorizer decided about a `PublishRequest`.
public enum PublishDecision: Sendable, Equatable {
    /// Publish, under `name` (the name asked for, or the one an auth callback chose).
    case allow(name: String)
    case refuse(PublishRefusal)
}

/// Why a publisher was refused: a reason for counting and for the protocol's answer, and a
/// detail for people (never holding a key).
public struct PublishRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, Equatable, CaseIterable {
        /// An address rule (--deny-publish, or not in --allow-publish).
        case addressDenied
        /// Too many failures from this address lately.
        case addressBanned
        case keyMissing
        case keyWrong
        /// The auth callback answered with a refusing status.
        case callbackRefused
        /// The auth callback could not be asked: timeout, unreachable, unreadable answer.
        case callbackFailed
        /// The name (or the one the callback chose) is not a usable stream name.
        case nameInvalid
        /// Another publisher has the name.
        case nameInUse

        /// Failures that count toward a ban: guesses at a key or at what a callback accepts.
        /// A callback that cannot be reached is our fault, not the client's.
        public var countsTowardBan: Bool {
            self == .keyMissing || self == .keyWrong || self == .callbackRefused
        }

        /// The onStatus code an RTMP client gets (level "error"; ffmpeg exits non-zero, OBS
        /// shows a failure).
        public var rtmpStatusCode: String {
            switch self {
            case .nameInvalid, .nameInUse: return "NetStream.Publish.BadName"
            default: return "NetStream.Publish.Unauthorized"
            }
        }
    }

    public var reason: Reason
    public var detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { detail }
}
