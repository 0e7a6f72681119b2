import MediaCore

/// Why FLV bytes (a file, or a tag body from RTMP) could not be read or frames written.
/// Offsets are stream offsets of the tag (or header) concerned.
public enum FLVError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file does not start with "FLV" and version 1.
    case invalidHeader(reason: String)
    /// A tag body is shorter than its fields (`field` names the first missing one).
    case truncatedTagBody(FLVTag.Kind, field: String, at: Int64)
    /// A tag with a reserved type, or with the Filter bit set (encrypted, not supported).
    case unsupportedTag(type: UInt8, at: Int64)
    /// A video or audio format this project does not record (codec id, FourCC or sound format).
    case unsupportedCodec(String, at: Int64)
    /// Codec data inside a tag that MediaCore refused.
    case codec(CodecError, at: Int64)
    /// Script data that is not valid AMF0.
    case amf0(AMF0Error, at: Int64)
    /// A size or count beyond one of this module's named limits.
    case limitExceeded(field: String, value: Int, limit: Int)
    /// A frame for a track the writer was not given, or with an unknown sample description.
    case unknownTrack(trackID: UInt32, sampleDescriptionIndex: UInt16)
    /// `finish()` found the stream cut inside a tag (or the header).
    case truncatedStream(bufferedBytes: Int, at: Int64)
    /// Writing or patching the output file failed.
    case system(SystemError)
    /// A frame written after `close()`.
    case writerClosed(path: String)

    public var description: String {
        switch self {
        case let .invalidHeader(reason): return "FLV: invalid file header: \(reason)"
        case let .truncatedTagBody(kind, field, at): return "FLV: \(kind) tag at offset \(at) ends inside \(field)"
        case let .unsupportedTag(type, at): return "FLV: unsupported tag type \(type) at offset \(at)"
        case let .unsupportedCodec(codec, at): return "FLV: unsupported codec \(codec) at offset \(at)"
        case let .codec(error, at): return "FLV: tag at offset \(at): \(error)"
        case let .amf0(error, at): return "FLV: script tag at offset \(at): \(error)"
        case let .limitExceeded(field, value, limit): return "FLV: \(field) = \(value) exceeds the limit \(limit)"
        case let .unknownTrack(trackID, index):
            return "FLV: no track \(trackID) with sample description \(index) was given to the writer"
        case let .truncatedStream(buffered, at): return "FLV: stream ends inside a tag at offset \(at) (\(buffered) bytes)"
        case let .system(error): return "FLV: \(error)"
        case let .writerClosed(path): return "FLV: \(path) is already closed"
        }
    }
}
