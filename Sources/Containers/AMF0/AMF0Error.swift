/// Why AMF0 bytes could not be decoded or a value encoded. Offsets count from the start of
/// the bytes given to the decoder.
public enum AMF0Error: Error, Equatable, Sendable, CustomStringConvertible {
    /// The data ended inside a value.
    case truncated(needed: Int, remaining: Int, at: Int)
    /// A type marker this decoder does not accept (reference, movie clip, record set,
    /// typed object, AVM+, or an unknown value).
    case unsupportedMarker(UInt8, at: Int)
    /// A string that is not valid UTF-8.
    case invalidUTF8(at: Int)
    /// Objects or arrays nested deeper than `AMF0Decoder.maxDepth`.
    case tooDeep(at: Int)
    /// A strict array count larger than the bytes left could hold.
    case countExceedsData(count: Int, remaining: Int, at: Int)
    /// An object property name longer than the 16-bit length field allows.
    case nameTooLong(length: Int)

    public var description: String {
        switch self {
        case let .truncated(needed, remaining, at):
            return "AMF0: data ends at offset \(at): needed \(needed) bytes, \(remaining) remain"
        case let .unsupportedMarker(marker, at):
            return "AMF0: unsupported type marker 0x\(String(marker, radix: 16)) at offset \(at)"
        case let .invalidUTF8(at):
            return "AMF0: string at offset \(at) is not UTF-8"
        case let .tooDeep(at):
            return "AMF0: values nested deeper than \(AMF0Decoder.maxDepth) at offset \(at)"
        case let .countExceedsData(count, remaining, at):
            return "AMF0: strict array of \(count) values at offset \(at), but only \(remaining) bytes remain"
        case let .nameTooLong(length):
            return "AMF0: property name of \(length) bytes exceeds 65535"
        }
    }
}
