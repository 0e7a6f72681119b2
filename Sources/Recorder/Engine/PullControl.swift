/// What the API asks of an engine about the streams it pulls (`pullStream`): list them, stop
/// them, end the live stream of one. EMS keeps pulls as configs of their own
/// (`listPullPushConfig`, `removePullPushConfig`, `shutdownStream`); apart from
/// `RecorderControl` so that a test's stand-in answers those commands with a FAIL that says so.
public protocol PullControl: AnyObject, Sendable {
    func listPullConfigs() -> [PullConfigSnapshot]
    /// Stops the pull (its live stream ends, recordings close their chunks) and forgets it.
    func removePullConfig(_ selector: PullSelector) throws -> PullConfigSnapshot
    /// Ends the live stream of a pull (recordings close their chunks). `permanently`: the pull
    /// is removed too; otherwise a keepAlive pull connects again after its reconnect delay.
    func shutdownStream(localStreamName: String, permanently: Bool) throws -> PullConfigSnapshot
}

/// Which pull a command means: its configId (from listPullPushConfig) or its stream name.
public enum PullSelector: Sendable, Equatable {
    case configId(Int)
    case localStreamName(String)
}

/// A pull as listPullPushConfig shows it.
public struct PullConfigSnapshot: Sendable, Equatable {
    /// Numbered apart from record configs (listConfig), from 1 for each server run.
    public var configId: Int
    public var localStreamName: String
    /// The URI as given, the password left out.
    public var uri: String
    /// "rtsp", "udp-ts", "tcp-ts".
    public var source: String
    public var keepAlive: Bool
    public var forceTcp: Bool
    /// RTSP: "connecting", "streaming", "waiting" (between attempts), "ended"; MPEG-TS
    /// listeners: "listening", "streaming"; "removed" in the answer of a removal.
    public var state: String

    public init(configId: Int, localStreamName: String, uri: String, source: String, keepAlive: Bool, forceTcp: Bool,
                state: String) {
        self.configId = configId
        self.localStreamName = localStreamName
        self.uri = uri
        self.source = source
        self.keepAlive = keepAlive
        self.forceTcp = forceTcp
        self.state = state
    }
}
