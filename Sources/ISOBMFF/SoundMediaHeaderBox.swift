import MediaCore

/// `smhd`: the media header of an audio track. Contained in `minf`. (ISO/IEC 14496-12 12.2.2)
public struct SoundMediaHeaderBox: Box {
    public static let type: FourCC = "smhd"

    /// Stereo balance, 8.8 fixed point: 0 is centre, -1.0 full left.
    public var balance: Int16

    public init(balance: Int16 = 0) {
        self.balance = balance
    }

    public init(body: inout ByteReader) throws(MP4ParseError) {
        _ = try body.readVersion(in: Self.type, supported: 0...0)
        balance = try body.read(in: Self.type)
        try body.skip(2, in: Self.type)               // reserved
    }

    public var bodySize: Int { 4 + 2 + 2 }

    public func writeBody(to writer: inout ByteWriter) {
        writer.writeVersionAndFlags(0, 0)
        writer.write(balance)
        writer.writeZeros(2)
    }
}
