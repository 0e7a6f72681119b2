import MediaCore

/// `ftyp`: the brands a file conforms to. First box of the file. (ISO/IEC 14496-12 4.3)
public struct FileTypeBox: Box {
    public static let type: FourCC = "ftyp"

    public var majorBrand: FourCC
    public var minorVersion: UInt32
    public var compatibleBrands: [FourCC]

    public init(majorBrand: FourCC, minorVersion: UInt32, compatibleBrands: [FourCC]) {
        self.majorBrand = majorBrand
        self.minorVersion = minorVersion
        self.compatibleBrands = compatibleBrands
    }

    public init(body: inout ByteReader) throws(MP4ParseError) {
        majorBrand = try body.readFourCC(in: Self.type)
        minorVersion = try body.read(in: Self.type)
        compatibleBrands = []
        // The brand list runs to the end of the box; a partial brand is left over and reported.
        while body.remaining >= 4 { compatibleBrands.append(try body.readFourCC(in: Self.type)) }
    }

    public var bodySize: Int { 8 + 4 * compatibleBrands.count }

    public func writeBody(to writer: inout ByteWriter) {
        writer.write(majorBrand)
        writer.write(minorVersion)
        compatibleBrands.forEach { writer.write($0) }
    }
}
