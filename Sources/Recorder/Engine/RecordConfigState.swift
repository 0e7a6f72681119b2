/// Where a record config stands; its raw value is what listConfig answers as `state`.
enum RecordConfigState: String, Sendable {
    /// No live stream of its name yet (or keepAlive=1 between streams).
    case waiting
    case recording
    /// keepAlive=0 and its recording is done.
    case finished
    /// Its recording failed; it starts again after `RecorderEngine.retryDelay`.
    case error
    /// Its root is under --min-free-bytes; it records again when space returns.
    case paused
    /// In the answer of a removal only.
    case removed
}
