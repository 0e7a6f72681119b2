/// What the API layer (HTTP and line CLI) asks of the recording engine. The API parses and
/// validates commands and renders EMS-shaped JSON answers; the engine does the work.
public protocol RecorderControl: AnyObject, Sendable {
    /// Adds a record config (the stream may not exist yet). Throws `RecorderControlError`.
    func record(_ parameters: RecordParameters) throws -> RecordConfigSnapshot
    /// Stops any recording of the config and forgets it.
    func removeConfig(id: Int) throws -> RecordConfigSnapshot
    func listConfigs() -> [RecordConfigSnapshot]
    func listStreams() -> [StreamSnapshot]
    /// Creates a named inbound MPEG-TS stream listening on `uri` (udp://HOST:PORT or
    /// tcp://HOST:PORT).
    func pullStream(uri: String, localStreamName: String) throws -> StreamSnapshot
    /// The same with EMS's RTSP options (keepAlive, forceTcp); `rtsp://` URIs need this one.
    func pullStream(uri: String, localStreamName: String, options: PullOptions) throws -> StreamSnapshot
    /// Stops ingest and recordings cleanly (finalizing what is open).
    func shutdown()
}

extension RecorderControl {
    /// Controls without RTSP (test doubles) take the options as the plain call.
    public func pullStream(uri: String, localStreamName: String, options: PullOptions) throws -> StreamSnapshot {
        try pullStream(uri: uri, localStreamName: localStreamName)
    }
}

/// A failure the API reports as status FAIL with this description.
public struct RecorderControlError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A record config as the API shows it: the seed's answer fields plus its current state.
/// The snapshots below are made by the engine (tests build theirs through `@testable import`).
public struct RecordConfigSnapshot: Sendable, Equatable, Codable {
    public var configId: Int
    public var parameters: RecordParameters
    /// The path that will be (or is being) written: pathToFile + numbering/date/part rules.
    public var computedPathToFile: String
    /// The mp4writer executable used to finalize MP4 chunks.
    public var mp4BinPath: String
    public var hasAudio: Bool
    /// "waiting" (no stream yet), "recording", "finished" (keepAlive=0 and done), "error",
    /// "paused" (its root is under --min-free-bytes; it records again when space returns).
    public var state: String
    public var filesWritten: [String] = []
    public var lastError: String?
}

/// An inbound stream as listStreams shows it.
public struct StreamSnapshot: Sendable, Equatable, Codable {
    public var localStreamName: String
    /// "rtmp", "udp-ts", "tcp-ts", "file".
    public var source: String
    public var clientAddress: String?
    public var video: String?     // e.g. "h264 1280x720"
    public var audio: String?     // e.g. "aac 48000 Hz 2 ch"
    public var bitrateKbps = 0
    public var active: Bool
    /// What each record config of the stream is writing now (empty: not recorded).
    public var recordings: [StreamRecordingSnapshot] = []
    /// The latest error of a config recording this stream (a full disk, a paused root).
    public var lastError: String?
    /// Streams of the source that cannot be recorded, each "NAME: reason".
    public var notRecorded: [String] = []
}

/// One recording of a live stream as listStreams shows it: the file open now, with its media
/// bytes and seconds so far (no file between two chunks).
public struct StreamRecordingSnapshot: Sendable, Equatable, Codable {
    public var configId: Int
    public var file: String?
    public var bytes: UInt64
    public var durationSeconds: Double
}
