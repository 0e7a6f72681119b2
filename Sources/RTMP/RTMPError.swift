import Containers

/// Why an RTMP peer's bytes were refused. Offsets count bytes received on the connection
/// (handshake included), so a log line points into a capture of it.
public enum RTMPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// C0 asked for a protocol version other than 3 (6 is RTMPE, encrypted; not served).
    case unsupportedVersion(UInt8)
    /// A message declared longer than the limit (`ChunkStreamDecoder.Limits.maxMessageLength`).
    case messageTooLong(length: Int, limit: Int, chunkStreamID: UInt32, at: Int64)
    /// Partial messages over all chunk streams would hold more than the limit.
    case tooManyBufferedBytes(limit: Int, at: Int64)
    /// More chunk streams in use than the limit.
    case tooManyChunkStreams(limit: Int, at: Int64)
    /// A type 1, 2 or 3 header on a chunk stream that never had a type 0 header (5.3.1.2).
    case missingPreviousHeader(format: UInt8, chunkStreamID: UInt32, at: Int64)
    /// A type 0 or 1 header arrived while a message of that chunk stream was incomplete.
    case headerInsideMessage(format: UInt8, chunkStreamID: UInt32, at: Int64)
    /// Set Chunk Size of 0 or with the reserved top bit set (5.4.1).
    case invalidChunkSize(UInt32, at: Int64)
    /// A message body shorter than its type needs, or otherwise not of its type's shape.
    case malformedMessage(type: UInt8, reason: String, at: Int64)
    /// A command message whose AMF0 does not decode.
    case malformedCommand(AMF0Error, at: Int64)
    /// A command message longer than `RTMPServerSession.Limits.maxCommandLength`.
    case commandTooLong(length: Int, limit: Int, at: Int64)

    public var description: String {
        switch self {
        case let .unsupportedVersion(version):
            return "RTMP: handshake asks for version \(version); only 3 (plain RTMP) is served"
        case let .messageTooLong(length, limit, csid, at):
            return "RTMP: message of \(length) bytes on chunk stream \(csid) at offset \(at) exceeds the limit of \(limit)"
        case let .tooManyBufferedBytes(limit, at):
            return "RTMP: partial messages at offset \(at) would hold more than \(limit) bytes"
        case let .tooManyChunkStreams(limit, at):
            return "RTMP: more than \(limit) chunk streams in use at offset \(at)"
        case let .missingPreviousHeader(format, csid, at):
            return "RTMP: chunk header type \(format) on chunk stream \(csid) at offset \(at) has no earlier type 0 header to refer to"
        case let .headerInsideMessage(format, csid, at):
            return "RTMP: chunk header type \(format) on chunk stream \(csid) at offset \(at) interrupts an incomplete message"
        case let .invalidChunkSize(size, at):
            return "RTMP: Set Chunk Size \(size) at offset \(at) is not 1...2147483647"
        case let .malformedMessage(type, reason, at):
            return "RTMP: message type \(type) at offset \(at): \(reason)"
        case let .malformedCommand(error, at):
            return "RTMP: command at offset \(at): \(error.description)"
        case let .commandTooLong(length, limit, at):
            return "RTMP: command of \(length) bytes at offset \(at) exceeds the limit of \(limit)"
        }
    }
}
