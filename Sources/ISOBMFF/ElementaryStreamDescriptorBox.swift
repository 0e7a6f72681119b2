import MediaCore

/// `esds`: the MPEG-4 elementary stream descriptor of an `mp4a` entry. Contained in `mp4a`.
/// (ISO/IEC 14496-14 5.6)
public struct ElementaryStreamDescriptorBox: Box {
    public static let type: FourCC = "esds"

    public var descriptor: ElementaryStreamDescriptor

    public init(descriptor: ElementaryStreamDescriptor) {
        self.descriptor = descriptor
    }

    public init(body: inout ByteReader) throws(MP4ParseError) {
        _ = try body.readVersion(in: Self.type, supported: 0...0)
        descriptor = try ElementaryStreamDescriptor(reading: &body, in: Self.type)
    }

    public var bodySize: Int { 4 + descriptor.encodedSize }

    public func writeBody(to writer: inout ByteWriter) {
        writer.writeVersionAndFlags(0, 0)
        descriptor.write(to: &writer)
    }
}
