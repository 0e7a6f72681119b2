import Operations

/// What `storageInfo` asks of an engine: the roots' usage and the retention limits, or nil
/// when it keeps no catalog.
public protocol StorageControl: AnyObject, Sendable {
    func storageReport() -> StorageReport?
}
