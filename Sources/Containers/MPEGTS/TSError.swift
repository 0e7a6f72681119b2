import MediaCore

/// Why MPEG-TS data could not be used or frames written. `pid` names the elementary stream
/// or table concerned.
public enum TSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A PES packet without the 0x000001 start code or with a header longer than its data.
    case invalidPES(pid: UInt16, reason: String)
    /// A PAT or PMT section that does not parse (its CRC already matched).
    case invalidSection(pid: UInt16, reason: String)
    /// A video PES without a presentation time: its frame cannot be placed.
    case missingTimestamp(pid: UInt16)
    /// Codec data inside a PES that MediaCore refused.
    case codec(CodecError, pid: UInt16)
    /// A valid feature this module does not handle.
    case unsupported(String)
    /// A size or count beyond one of this module's named limits.
    case limitExceeded(field: String, value: Int, limit: Int)
    /// A frame for a track the writer was not given, or with an unknown sample description.
    case unknownTrack(trackID: UInt32, sampleDescriptionIndex: UInt16)
    /// Writing the output file failed.
    case system(SystemError)
    /// A frame written after `close()`.
    case writerClosed(path: String)

    public var description: String {
        switch self {
        case let .invalidPES(pid, reason): return "MPEG-TS: PID \(pid): invalid PES packet: \(reason)"
        case let .invalidSection(pid, reason): return "MPEG-TS: PID \(pid): invalid section: \(reason)"
        case let .missingTimestamp(pid): return "MPEG-TS: PID \(pid): video PES without PTS"
        case let .codec(error, pid): return "MPEG-TS: PID \(pid): \(error)"
        case let .unsupported(feature): return "MPEG-TS: unsupported \(feature)"
        case let .limitExceeded(field, value, limit): return "MPEG-TS: \(field) = \(value) exceeds the limit \(limit)"
        case let .unknownTrack(trackID, index):
            return "MPEG-TS: no track \(trackID) with sample description \(index) was given to the writer"
        case let .system(error): return "MPEG-TS: \(error)"
        case let .writerClosed(path): return "MPEG-TS: \(path) is already closed"
        }
    }
}
