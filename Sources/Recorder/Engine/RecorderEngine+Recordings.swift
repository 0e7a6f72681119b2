import Operations
import MediaCore

/// listRecordings and deleteRecording, from the catalog (never a directory walk).
extension RecorderEngine: RecordingsControl {
    public func listRecordings(_ query: RecordingQuery) throws -> RecordingPage {
        guard let operations else { throw RecorderControlError("no recordings catalog") }
        return operations.catalog.query(query)
    }

    public func deleteRecording(file: String) throws -> RecordingEntry {
        guard let operations else { throw RecorderControlError("no recordings catalog") }
        do {
            let entry = try operations.delete(file: file)
            publishDeletion(entry, reason: .request)
            return entry
        } catch {
            throw RecorderControlError(error.description)
        }
    }

    /// The `recordingDeleted` event: the file, its bytes, why, and whose it was.
    func publishDeletion(_ entry: RecordingEntry, reason: RetentionReason) {
        events.publish("recordingDeleted", ["file": .string(entry.file), "bytes": .int(Int(entry.bytes)),
                                            "reason": .string(reason.rawValue), "stream": .string(entry.localStreamName),
                                            "configId": entry.configId.map(JSONValue.int) ?? .null])
    }
}

/// storageInfo, from the catalog and one statvfs per root.
extension RecorderEngine: StorageControl {
    public func storageReport() -> StorageReport? { operations?.storageReport() }
}
