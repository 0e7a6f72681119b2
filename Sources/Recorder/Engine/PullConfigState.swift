/// Where a pullStream config stands; its raw value is what listPullPushConfig answers as
/// `state`.
enum PullConfigState: String, Sendable {
    /// RTSP: connecting to the camera (also a new pull, before its first answer).
    case connecting
    /// Media arrives (an RTSP pull playing, or an MPEG-TS listener's stream live).
    case streaming
    /// RTSP with keepAlive: between two attempts.
    case waiting
    /// RTSP: the pull ended by itself (keepAlive=0).
    case ended
    /// MPEG-TS: bound, no sender yet (or between senders).
    case listening
    /// In the answer of a removal only.
    case removed

    init(_ phase: RTSPPull.Phase) {
        switch phase {
        case .connecting: self = .connecting
        case .streaming: self = .streaming
        case .waiting: self = .waiting
        case .ended: self = .ended
        }
    }
}
