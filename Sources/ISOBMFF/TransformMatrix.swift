import MediaCore

/// The 3x3 video transformation matrix of `mvhd` and `tkhd` (ISO/IEC 14496-12 6.2.2), in
/// row order `a b u / c d v / x y w`: a, b, c, d, x, y are 16.16 and u, v, w 2.30 fixed point.
public struct TransformMatrix: Sendable, Equatable {
    /// The nine values in file order.
    public let values: [Int32]

    /// No rotation, no scaling.
    public static let identity = TransformMatrix([0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000])

    static let byteCount = 36

    public init(_ values: [Int32]) {
        precondition(values.count == 9, "a transformation matrix has 9 values")
        self.values = values
    }

    init(reading reader: inout ByteReader, in box: FourCC) throws(MP4ParseError) {
        var values: [Int32] = []
        for _ in 0..<9 { values.append(try reader.read(Int32.self, in: box)) }
        self.values = values
    }

    func write(to writer: inout ByteWriter) {
        values.forEach { writer.write($0) }
    }
}
