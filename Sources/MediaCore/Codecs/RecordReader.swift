/// A `ByteReader` for byte-aligned records (avcC, hvcC) that names the field in its errors.
struct RecordReader {
    private var reader: ByteReader
    let structure: String

    init(_ bytes: [UInt8], structure: String) {
        reader = ByteReader(bytes)
        self.structure = structure
    }

    var remaining: Int { reader.remaining }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ field: StaticString) throws(CodecError) -> T {
        do { return try reader.readInteger(T.self) } catch { throw .truncated(structure: structure, field: "\(field)", error) }
    }

    mutating func readUInt(byteCount: Int, _ field: StaticString) throws(CodecError) -> UInt64 {
        do { return try reader.readUInt(byteCount: byteCount) } catch { throw .truncated(structure: structure, field: "\(field)", error) }
    }

    mutating func readBytes(_ count: Int, _ field: StaticString) throws(CodecError) -> [UInt8] {
        do { return try reader.readBytes(count) } catch { throw .truncated(structure: structure, field: "\(field)", error) }
    }

    /// `configurationVersion`, which avcC and hvcC both fix at 1 (ISO/IEC 14496-15 5.3.2.1.2,
    /// 8.3.2.1.2): any other value is a record this reader does not know.
    mutating func readConfigurationVersion() throws(CodecError) {
        let version = try read(UInt8.self, "configurationVersion")
        guard version == 1 else {
            throw .invalidValue(structure: structure, field: "configurationVersion", value: Int64(version))
        }
    }

    /// A list of NAL units, each preceded by a 16-bit length (the shape both records share).
    mutating func readNALUnits(count: Int, _ field: StaticString) throws(CodecError) -> [[UInt8]] {
        var units: [[UInt8]] = []
        for _ in 0..<count {
            let length = Int(try read(UInt16.self, field))
            units.append(try readBytes(length, field))
        }
        return units
    }
}
