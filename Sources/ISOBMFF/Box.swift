import MediaCore

/// A box whose body this module understands.
///
/// A box implements only its body: how to parse it, how large it is (computed from content,
/// never stored), and how to write it. The header is read by `BoxTree` and written by
/// `ByteWriter.writeBox(_:)`, which checks that the body wrote exactly `bodySize` bytes; a
/// decoder checks that the body was consumed exactly.
public protocol Box: Sendable, Equatable {
    /// The box type, e.g. `stsz`.
    static var type: FourCC { get }
    /// Parses the body (the bytes after the header). Offsets in errors are positions in `body`.
    init(body: inout ByteReader) throws(MP4ParseError)
    /// Size of the body in bytes, computed from content.
    var bodySize: Int { get }
    /// Writes exactly `bodySize` bytes.
    func writeBody(to writer: inout ByteWriter)
}

extension Box {
    /// Total size with the header that `ByteWriter.writeBox(_:)` will write.
    public var size: Int64 { BoxHeader(type: Self.type, bodySize: Int64(bodySize)).size }

    /// Decodes a complete body; bytes left over are `bodyNotConsumed`.
    public static func decode(body bytes: [UInt8]) throws(MP4ParseError) -> Self {
        var reader = ByteReader(bytes)
        let box = try Self(body: &reader)
        guard reader.isAtEnd else {
            throw .bodyNotConsumed(type, leftover: reader.remaining, at: Int64(reader.position))
        }
        return box
    }

    /// Decodes a whole box, header included, that fills `bytes` exactly.
    public static func decode(box bytes: [UInt8]) throws(MP4ParseError) -> Self {
        var reader = ByteReader(bytes)
        let header = try BoxHeader.parse(&reader, at: 0, available: Int64(bytes.count), parent: nil)
        guard header.type == type else {
            throw .invalidValue(header.type, reason: "expected a '\(type)' box", at: 0)
        }
        guard header.size == Int64(bytes.count) else {
            throw .bodyNotConsumed(type, leftover: bytes.count - Int(header.size), at: header.end)
        }
        do throws(MP4ParseError) {
            return try decode(body: Array(bytes[header.headerSize...]))
        } catch {
            throw error.shifted(by: Int64(header.headerSize))
        }
    }

    /// The box with its header, as `ByteWriter.writeBox(_:)` writes it.
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: Int(size))
        writer.writeBox(self)
        return writer.bytes
    }

    /// The body alone.
    public var encodedBody: [UInt8] {
        var writer = ByteWriter(capacity: bodySize)
        writeBody(to: &writer)
        precondition(writer.count == bodySize, "'\(Self.type)' wrote \(writer.count) body bytes, planned \(bodySize)")
        return writer.bytes
    }
}
