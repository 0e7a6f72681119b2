import MediaCore

/// `vmhd`: the media header of a video track. Contained in `minf`. (ISO/IEC 14496-12 12.1.2)
public struct VideoMediaHeaderBox: Box {
    public static let type: FourCC = "vmhd"

    /// 0: copy over the existing image.
    public var graphicsMode: UInt16
    public var opcolor: [UInt16]

    public init(graphicsMode: UInt16 = 0, opcolor: [UInt16] = [0, 0, 0]) {
        precondition(opcolor.count == 3, "opcolor is red, green, blue")
        self.graphicsMode = graphicsMode
        self.opcolor = opcolor
    }

    public init(body: inout ByteReader) throws(MP4ParseError) {
        _ = try body.readVersion(in: Self.type, supported: 0...0)
        graphicsMode = try body.read(in: Self.type)
        opcolor = []
        for _ in 0..<3 { opcolor.append(try body.read(in: Self.type)) }
    }

    public var bodySize: Int { 4 + 2 + 6 }

    public func writeBody(to writer: inout ByteWriter) {
        // The flags are 1 by definition (12.1.2.2); players check it.
        writer.writeVersionAndFlags(0, 1)
        writer.write(graphicsMode)
        opcolor.forEach { writer.write($0) }
    }
}
