/// Reads the syntax elements of an RBSP (emulation prevention removed) and names each element
/// in the errors it throws, in the spelling of the spec's syntax tables.
struct RBSPReader {
    private var bits: BitReader
    /// The structure being parsed, e.g. "H.264 SPS", for error messages.
    let structure: String

    init(rbsp: [UInt8], structure: String) {
        bits = BitReader(rbsp)
        self.structure = structure
    }

    var bitsRemaining: Int { bits.bitsRemaining }
    var bitPosition: Int { bits.bitPosition }

    /// u(n), n in 0...32.
    mutating func u(_ count: Int, _ field: StaticString) throws(CodecError) -> UInt32 {
        do { return try bits.readBits(count) } catch { throw map(error, field) }
    }

    /// u(n) for n in 33...64 (the 43- and 48-bit constraint fields of profile_tier_level).
    mutating func u64(_ count: Int, _ field: StaticString) throws(CodecError) -> UInt64 {
        let high = count - 32
        let top = UInt64(try u(high, field))
        return (top << 32) | UInt64(try u(32, field))
    }

    mutating func flag(_ field: StaticString) throws(CodecError) -> Bool {
        try u(1, field) == 1
    }

    mutating func skip(_ count: Int, _ field: StaticString) throws(CodecError) {
        do { try bits.skipBits(count) } catch { throw map(error, field) }
    }

    /// ue(v), rejected above `max` (the range the element's semantics allow).
    mutating func ue(_ field: StaticString, max: UInt32 = UInt32.max - 1) throws(CodecError) -> UInt32 {
        let value: UInt32
        do { value = try bits.readUE() } catch { throw map(error, field) }
        guard value <= max else {
            throw .invalidValue(structure: structure, field: "\(field)", value: Int64(value))
        }
        return value
    }

    /// se(v), rejected outside `range`.
    mutating func se(_ field: StaticString, range: ClosedRange<Int32> = Int32.min...Int32.max) throws(CodecError) -> Int32 {
        let value: Int32
        do { value = try bits.readSE() } catch { throw map(error, field) }
        guard range.contains(value) else {
            throw .invalidValue(structure: structure, field: "\(field)", value: Int64(value))
        }
        return value
    }

    /// rbsp_trailing_bits (7.3.2.11): the stop bit must follow the last element. Bits after it
    /// are not checked, so that stray trailing bytes some encoders leave do not reject a set.
    mutating func readTrailingBits() throws(CodecError) {
        guard bits.bitsRemaining > 0, (try? bits.readBit()) == 1 else {
            throw .missingStopBit(structure: structure)
        }
    }

    private func map(_ error: ByteReaderError, _ field: StaticString) -> CodecError {
        switch error {
        case .truncated: return .truncated(structure: structure, field: "\(field)", error)
        case .invalidLength: return .malformedExpGolomb(structure: structure, field: "\(field)")
        }
    }
}

extension RBSPReader {
    /// A reader over the RBSP of a NAL unit of type `expected`, after its header (H.264 7.3.1,
    /// H.265 7.3.1.2); a unit of another type or shorter than its header throws.
    init<C: Collection<UInt8>, Kind: NALUnitKind>(nalUnit: C, expected: Kind, structure: String) throws(CodecError) {
        guard nalUnit.count >= Kind.headerByteCount, let type = Kind(nalUnit: nalUnit) else {
            throw .truncated(structure: structure, field: "NAL unit header",
                             .truncated(needed: Kind.headerByteCount, remaining: nalUnit.count, at: 0))
        }
        guard type == expected else { throw .unexpectedNALUnitType(structure: structure, found: type.rawValue) }
        self.init(rbsp: NALUnit.rbsp(from: nalUnit.dropFirst(Kind.headerByteCount)), structure: structure)
    }
}
