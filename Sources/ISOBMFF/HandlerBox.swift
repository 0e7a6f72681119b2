import MediaCore

/// `hdlr`: what kind of media a track holds (`vide`, `soun`). Contained in `mdia` (and in
/// `meta`). (ISO/IEC 14496-12 8.4.3)
public struct HandlerBox: Box {
    public static let type: FourCC = "hdlr"
    public static let video: FourCC = "vide"
    public static let sound: FourCC = "soun"

    public var handlerType: FourCC
    /// A human-readable name, e.g. "VideoHandler".
    public var name: String

    public init(handlerType: FourCC, name: String) {
        self.handlerType = handlerType
        self.name = name
    }

    public init(body: inout ByteReader) throws(MP4ParseError) {
        let t = Self.type
        _ = try body.readVersion(in: t, supported: 0...0)
        try body.skip(4, in: t)                       // pre_defined
        handlerType = try body.readFourCC(in: t)
        try body.skip(12, in: t)                      // reserved
        // ISO writes a NUL-terminated UTF-8 name; QuickTime a counted string without the NUL.
        // Both read as the bytes before the first NUL; this box writes the ISO form.
        let rest = body.readRemainingBytes()
        name = String(decoding: rest.prefix { $0 != 0 }, as: UTF8.self)
    }

    // version+flags, pre_defined, handler_type, reserved, name, NUL
    public var bodySize: Int { 4 + 4 + 4 + 12 + name.utf8.count + 1 }

    public func writeBody(to writer: inout ByteWriter) {
        writer.writeVersionAndFlags(0, 0)
        writer.writeZeros(4)
        writer.write(handlerType)
        writer.writeZeros(12)
        writer.write(bytes: Array(name.utf8))
        writer.write(UInt8(0))
    }
}
