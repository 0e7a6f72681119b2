import MediaCore

/// Why an MP4 file or box could not be read. Each case names the box (its FourCC) and the
/// offset of the problem, so a message points at the bytes to look at.
///
/// Offsets are file offsets when thrown by `BoxTree`, `BoxNode.decode(_:)` and `MP4Reader`.
/// When a box is decoded from bytes alone (`Box.decode(body:)`), they count from the start of
/// those bytes.
public enum MP4ParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer bytes remain in the parent (nil: the file) than the box header needs.
    case truncatedHeader(parent: FourCC?, remaining: Int64, at: Int64)
    /// The size field is smaller than the header it belongs to (a size counts its header).
    case sizeSmallerThanHeader(FourCC, size: UInt64, headerSize: Int, at: Int64)
    /// The box declares more bytes than remain in its parent (nil: the file).
    case extendsPastParent(FourCC, size: UInt64, available: Int64, parent: FourCC?, at: Int64)
    /// Parsing the body needed more bytes than the box holds.
    case truncatedBody(FourCC, needed: Int, remaining: Int, at: Int64)
    /// The body was parsed completely, but bytes are left over before the end of the box.
    case bodyNotConsumed(FourCC, leftover: Int, at: Int64)
    /// An entry count promises more entries than the rest of the body can hold.
    case countExceedsBody(FourCC, count: UInt64, entrySize: Int, remaining: Int, at: Int64)
    case unsupportedVersion(FourCC, version: UInt8, at: Int64)
    /// A field holds a value the format does not allow; `reason` says which and why.
    case invalidValue(FourCC, reason: String, at: Int64)
    /// A box the format requires is absent from its parent (nil: the file).
    case missingBox(FourCC, parent: FourCC?, at: Int64)
    /// A size, count or depth beyond one of this reader's named limits.
    case exceedsLimit(FourCC, value: UInt64, limit: UInt64, at: Int64)
    /// A sample's bytes lie, at least partly, past the end of the file.
    case sampleOutsideFile(offset: Int64, size: UInt64, fileSize: Int64)
    /// Opening or reading the file failed.
    case system(SystemError)

    /// A short read of a box body, as this module reports it.
    init(_ error: ByteReaderError, in box: FourCC) {
        switch error {
        case let .truncated(needed, remaining, at):
            self = .truncatedBody(box, needed: needed, remaining: remaining, at: Int64(at))
        case let .invalidLength(length, at):
            self = .invalidValue(box, reason: "negative length \(length)", at: Int64(at))
        }
    }

    /// The offset of the problem, when the error has one.
    public var offset: Int64? {
        switch self {
        case let .truncatedHeader(_, _, at), let .sizeSmallerThanHeader(_, _, _, at),
             let .extendsPastParent(_, _, _, _, at), let .truncatedBody(_, _, _, at),
             let .bodyNotConsumed(_, _, at), let .countExceedsBody(_, _, _, _, at),
             let .unsupportedVersion(_, _, at), let .invalidValue(_, _, at),
             let .missingBox(_, _, at), let .exceedsLimit(_, _, _, at):
            return at
        case let .sampleOutsideFile(offset, _, _):
            return offset
        case .system:
            return nil
        }
    }

    /// The same error with its offset moved by `base`: a body decoded from its own bytes
    /// reports offsets from the body's start, and the tree that knows where the body sits in
    /// the file turns them into file offsets.
    func shifted(by base: Int64) -> MP4ParseError {
        switch self {
        case let .truncatedHeader(parent, remaining, at):
            return .truncatedHeader(parent: parent, remaining: remaining, at: at + base)
        case let .sizeSmallerThanHeader(type, size, headerSize, at):
            return .sizeSmallerThanHeader(type, size: size, headerSize: headerSize, at: at + base)
        case let .extendsPastParent(type, size, available, parent, at):
            return .extendsPastParent(type, size: size, available: available, parent: parent, at: at + base)
        case let .truncatedBody(type, needed, remaining, at):
            return .truncatedBody(type, needed: needed, remaining: remaining, at: at + base)
        case let .bodyNotConsumed(type, leftover, at):
            return .bodyNotConsumed(type, leftover: leftover, at: at + base)
        case let .countExceedsBody(type, count, entrySize, remaining, at):
            return .countExceedsBody(type, count: count, entrySize: entrySize, remaining: remaining, at: at + base)
        case let .unsupportedVersion(type, version, at):
            return .unsupportedVersion(type, version: version, at: at + base)
        case let .invalidValue(type, reason, at):
            return .invalidValue(type, reason: reason, at: at + base)
        case let .missingBox(type, parent, at):
            return .missingBox(type, parent: parent, at: at + base)
        case let .exceedsLimit(type, value, limit, at):
            return .exceedsLimit(type, value: value, limit: limit, at: at + base)
        case .sampleOutsideFile, .system:
            return self
        }
    }

    public var description: String {
        func name(_ parent: FourCC?) -> String { parent.map { "'\($0)'" } ?? "the file" }
        switch self {
        case let .truncatedHeader(parent, remaining, at):
            return "box header at offset \(at): only \(remaining) bytes remain in \(name(parent))"
        case let .sizeSmallerThanHeader(type, size, headerSize, at):
            return "box '\(type)' at offset \(at): size \(size) is smaller than its \(headerSize)-byte header"
        case let .extendsPastParent(type, size, available, parent, at):
            return "box '\(type)' at offset \(at) declares \(size) bytes but only \(available) remain in \(name(parent))"
        case let .truncatedBody(type, needed, remaining, at):
            return "box '\(type)': body ends at offset \(at) with \(remaining) bytes left, \(needed) needed"
        case let .bodyNotConsumed(type, leftover, at):
            return "box '\(type)': \(leftover) bytes left over after the body, from offset \(at)"
        case let .countExceedsBody(type, count, entrySize, remaining, at):
            return "box '\(type)' at offset \(at): \(count) entries of \(entrySize) bytes do not fit in the \(remaining) bytes left"
        case let .unsupportedVersion(type, version, at):
            return "box '\(type)' at offset \(at): version \(version) is not supported"
        case let .invalidValue(type, reason, at):
            return "box '\(type)' at offset \(at): \(reason)"
        case let .missingBox(type, parent, at):
            return "\(name(parent)) at offset \(at) has no '\(type)' box"
        case let .exceedsLimit(type, value, limit, at):
            return "box '\(type)' at offset \(at): \(value) exceeds this reader's limit of \(limit)"
        case let .sampleOutsideFile(offset, size, fileSize):
            return "sample of \(size) bytes at offset \(offset) ends past the end of the file (\(fileSize) bytes)"
        case let .system(error):
            return error.description
        }
    }
}
