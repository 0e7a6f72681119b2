import MediaCore

/// An FLV audio or video tag body (`FLVAudioTagBody`, `FLVVideoTagBody`): a header, then the
/// packet's data, which a file writer puts after the header without copying it. A message
/// body carries one packet, or one per track (Enhanced RTMP v2 multitrack).
public protocol FLVTagBody: Sendable {
    /// The tag type whose bodies these are.
    static var tagKind: FLVTag.Kind { get }
    /// Every packet of a message body, in order. `offset` locates the tag in errors.
    static func packets(parsing bytes: [UInt8], at offset: Int64) throws(FLVError) -> [Self]
    /// The packet's bytes after the header.
    var data: ArraySlice<UInt8> { get }
    /// Everything before `data`.
    func writeHeader(to writer: inout ByteWriter)
}

extension FLVTagBody {
    /// Parses a tag body that carries one packet (the first, when it carries several).
    /// `offset` locates the tag in errors.
    public init(parsing bytes: [UInt8], at offset: Int64 = 0) throws(FLVError) {
        guard let first = try Self.packets(parsing: bytes, at: offset).first else {
            throw .truncatedTagBody(Self.tagKind, field: "trackId", at: offset)
        }
        self = first
    }

    public func write(to writer: inout ByteWriter) {
        writeHeader(to: &writer)
        writer.write(bytes: data)
    }

    public func serialized() -> [UInt8] {
        var writer = ByteWriter()
        write(to: &writer)
        return writer.bytes
    }
}
