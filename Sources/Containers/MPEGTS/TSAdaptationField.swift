import MediaCore

/// The adaptation field of a TS packet (ISO/IEC 13818-1 2.4.3.4), the parts this module
/// reads and writes: the flags, the PCR, and stuffing.
///
/// ```
/// adaptation_field_length(8) | discontinuity(1) random_access(1) priority(1) PCR_flag(1) OPCR_flag(1) splicing(1) private(1) extension(1)
/// [PCR: base(33) reserved(6) extension(9)] ... stuffing 0xFF
/// ```
public struct TSAdaptationField: Sendable, Equatable {
    /// The CC (and the timebase) restart here: not a continuity error.
    public var discontinuity: Bool
    /// The next PES starts a random access point (a keyframe).
    public var randomAccess: Bool
    /// program_clock_reference in 27 MHz units (base * 300 + extension).
    public var pcr: UInt64?

    public init(discontinuity: Bool = false, randomAccess: Bool = false, pcr: UInt64? = nil) {
        self.discontinuity = discontinuity
        self.randomAccess = randomAccess
        self.pcr = pcr
    }

    /// Parses the field's bytes after adaptation_field_length (possibly none).
    init(parsing bytes: ArraySlice<UInt8>) {
        let flags = bytes.first ?? 0
        var pcr: UInt64?
        let start = bytes.startIndex + 1
        if flags & 0x10 != 0, bytes.count >= 7 {
            var value: UInt64 = 0
            for i in 0..<6 { value = value << 8 | UInt64(bytes[start + i]) }
            pcr = (value >> 15) * 300 + (value & 0x1FF)  // base(33) reserved(6) extension(9)
        }
        self.init(discontinuity: flags & 0x80 != 0, randomAccess: flags & 0x40 != 0, pcr: pcr)
    }

    /// Bytes the field takes with its length byte and no stuffing.
    var minimumSize: Int { 2 + (pcr == nil ? 0 : 6) }

    /// Writes the field, length byte included, taking exactly `size` bytes (>= 1; 1 is a
    /// field of length 0, the one-byte stuffing of 2.4.3.5, which cannot carry flags).
    func write(size: Int, to writer: inout ByteWriter) {
        precondition(size >= 1 && (size == 1 ? minimumSize == 2 && !discontinuity && !randomAccess : size >= minimumSize),
                     "adaptation field too small for its content")
        writer.write(UInt8(size - 1))
        guard size > 1 else { return }
        writer.write(UInt8((discontinuity ? 0x80 : 0) | (randomAccess ? 0x40 : 0) | (pcr != nil ? 0x10 : 0)))
        if let pcr {
            let base = (pcr / 300) & ((1 << 33) - 1)
            let extensionValue = pcr % 300
            writer.writeUInt(base << 15 | 0x3F << 9 | extensionValue, byteCount: 6)
        }
        writer.write(bytes: repeatElement(UInt8(0xFF), count: size - minimumSize))
    }
}
