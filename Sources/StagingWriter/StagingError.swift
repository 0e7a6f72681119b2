import MediaCore

/// Why a staging set could not be written or read. Messages name the file and the problem.
public enum StagingError: Error, Sendable, CustomStringConvertible {
    case system(SystemError)
    case setExists(String)
    case lockedByAnotherProcess(String)
    case unknownTrack(UInt32)
    case duplicateTrack(UInt32)
    case tooManyTracks(Int)
    case timestampWentBackwards(track: UInt32, previous: Int64, got: Int64)
    case sampleTooLarge(track: UInt32, size: Int)
    case invalidSampleDescriptionIndex(track: UInt32, index: UInt16)
    case closed
    case malformed(path: String, reason: String)
    case missing(String)

    public var description: String {
        switch self {
        case .system(let e): return e.description
        case .setExists(let p): return "\(p): a staging set already exists here; finalize it (mp4writer -path=\(p)) or choose another name"
        case .lockedByAnotherProcess(let p): return "\(p): the staging set is being written by another process (locked)"
        case .unknownTrack(let id): return "track \(id) was not added to the staging set"
        case .duplicateTrack(let id): return "track \(id) was already added to the staging set"
        case .tooManyTracks(let n): return "\(n) tracks is more than a staging set holds (\(StagingFormat.maxTracks))"
        case let .timestampWentBackwards(track, previous, got):
            return "track \(track): dts \(got) comes before the previous sample's dts \(previous)"
        case let .sampleTooLarge(track, size): return "track \(track): a \(size)-byte sample exceeds \(StagingFormat.maxSampleSize) bytes"
        case let .invalidSampleDescriptionIndex(track, index): return "track \(track): sample description \(index) does not exist"
        case .closed: return "the staging writer is closed"
        case let .malformed(path, reason): return "\(path): \(reason)"
        case .missing(let p): return "\(p): no such file"
        }
    }
}
