import MediaCore
import StagingWriter

/// Why a staging set was not finalized. Every message names the file and what is wrong.
public enum FinalizeError: Error, Sendable, CustomStringConvertible {
    /// No staging set at this path (and, when `outputExists`, the MP4 is already there).
    case nothingToDo(path: String, outputExists: Bool)
    case locked(String)
    case damaged(path: String, damage: [String])
    case nothingRecoverable(path: String, damage: [String])
    case doesNotFit32Bit(path: String, what: String)
    case staging(StagingError)
    case system(SystemError)

    public var description: String {
        switch self {
        case let .nothingToDo(path, exists):
            return exists ? "\(path): already finalized (no staging set beside it)"
                          : "\(path): no staging set (\(path).mdat and \(path).trackN not found)"
        case .locked(let path):
            return "\(path): the staging set is still being recorded (another process holds its lock); use --force only if that process is gone"
        case let .damaged(path, damage):
            return "\(path): the staging set is damaged (\(damage.joined(separator: "; "))); run again with --recovery to keep every intact sample"
        case let .nothingRecoverable(path, damage):
            return "\(path): nothing recoverable (\(damage.joined(separator: "; ")))"
        case let .doesNotFit32Bit(path, what):
            return "\(path): winQtCompat asks for 32-bit header fields, but \(what) does not fit in 32 bits; record shorter chunks or disable winQtCompat"
        case .staging(let e): return e.description
        case .system(let e): return e.description
        }
    }
}
