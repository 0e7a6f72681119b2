import Operations

/// What the API asks of an engine that keeps a recordings catalog (listRecordings,
/// deleteRecording). Apart from `RecorderControl` so that an engine without one (a test's
/// stand-in) answers those commands with a FAIL that says so.
public protocol RecordingsControl: AnyObject, Sendable {
    func listRecordings(_ query: RecordingQuery) throws -> RecordingPage
    /// Deletes the complete recording at `file` (absolute, inside the allowed roots);
    /// throws `RecorderControlError` when it is not one, or cannot be removed.
    func deleteRecording(file: String) throws -> RecordingEntry
}
