import Operations

/// A parsed API command: one of the EMS commands the recorder implements. Parameters are
/// validated by the time a `Command` exists; the dispatcher only applies policy (paths) and
/// asks the engine.
public enum Command: Sendable, Equatable {
    case record(RecordParameters)
    case listConfig
    case removeConfig(id: Int)
    case listStreams
    /// `uri` is checked to be `udp://HOST:PORT`, `tcp://HOST:PORT` or `rtsp://...` (scheme
    /// lower-cased).
    case pullStream(uri: String, localStreamName: String, options: PullOptions = PullOptions())
    /// The pulls (RTSP cameras, MPEG-TS listeners) with their configIds.
    case listPullPushConfig
    /// Stops a pull and forgets it.
    case removePullPushConfig(PullSelector)
    /// Ends a pulled stream; `permanently` (EMS's default) removes its pull too.
    case shutdownStream(localStreamName: String, permanently: Bool)
    case version
    case shutdownServer
    /// The catalog's recordings matching the query (docs/operations.md).
    case listRecordings(RecordingQuery)
    /// Deletes a complete recording; `file` is resolved by the path policy first.
    case deleteRecording(file: String)

    /// The command names as EMS spells them; matching is case-insensitive.
    public static let names = ["record", "listConfig", "removeConfig", "listStreams", "pullStream", "listPullPushConfig",
                               "removePullPushConfig", "shutdownStream", "version", "shutdownServer", "listRecordings",
                               "deleteRecording"]

    public var name: String {
        switch self {
        case .record: return "record"
        case .listConfig: return "listConfig"
        case .removeConfig: return "removeConfig"
        case .listStreams: return "listStreams"
        case .pullStream: return "pullStream"
        case .listPullPushConfig: return "listPullPushConfig"
        case .removePullPushConfig: return "removePullPushConfig"
        case .shutdownStream: return "shutdownStream"
        case .version: return "version"
        case .shutdownServer: return "shutdownServer"
        case .listRecordings: return "listRecordings"
        case .deleteRecording: return "deleteRecording"
        }
    }
}

/// Why a command line or request could not be turned into a `Command`. The description is the
/// FAIL answer's description, so it names the command or parameter and what is wrong.
public struct CommandError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
