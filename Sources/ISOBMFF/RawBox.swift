import MediaCore

/// A box kept as its bytes: anything this module does not model (`pasp`, `btrt`, `colr`,
/// `avcC`, `sgpd`...), so that nothing is lost when a parent is written back.
public struct RawBox: Sendable, Equatable {
    public var type: FourCC
    /// The extended type of a `uuid` box.
    public var userType: [UInt8]?
    public var body: [UInt8]

    public init(type: FourCC, userType: [UInt8]? = nil, body: [UInt8]) {
        self.type = type
        self.userType = userType
        self.body = body
    }

    /// Wraps a typed box, for a parent that keeps its children as raw boxes.
    public init<B: Box>(_ box: B) {
        self.init(type: B.type, body: box.encodedBody)
    }

    /// Parses one box (header and body) at the reader's position inside `parent`.
    init(parsing reader: inout ByteReader, parent: FourCC) throws(MP4ParseError) {
        let header = try BoxHeader.parse(&reader, at: Int64(reader.position), available: Int64(reader.remaining),
                                         parent: parent)
        let body = try reader.readBytes(Int(header.bodySize), in: header.type)
        self.init(type: header.type, userType: header.userType, body: body)
    }

    /// Decodes the body as the typed box `B`.
    public func decode<B: Box>(_: B.Type) throws(MP4ParseError) -> B {
        guard type == B.type else { throw .invalidValue(type, reason: "expected a '\(B.type)' box", at: 0) }
        return try B.decode(body: body)
    }

    public var size: Int64 { BoxHeader(type: type, bodySize: Int64(body.count), userType: userType).size }

    public func write(to writer: inout ByteWriter) {
        writer.writeBox(type, bodySize: body.count, userType: userType) { $0.write(bytes: body) }
    }
}
