/// Walks the NAL units of an MP4 sample (each preceded by a big-endian length of
/// `lengthSize` bytes, ISO/IEC 14496-15 5.3.2), checking every length against the bytes left.
///
/// ```swift
/// var units = LengthPrefixedNALUnitIterator(sample)
/// while let unit = try units.next() { ... }
/// ```
public struct LengthPrefixedNALUnitIterator: Sendable {
    private let bytes: ArraySlice<UInt8>
    private let lengthSize: NALUnitLengthSize
    /// Offset of the next length field from the start of the input.
    public var position: Int { index - bytes.startIndex }
    private var index: Int

    public init(_ bytes: [UInt8], lengthSize: NALUnitLengthSize = .four) {
        self.init(bytes[...], lengthSize: lengthSize)
    }

    /// Walks a slice (a frame's payload); the units share its indices.
    public init(_ bytes: ArraySlice<UInt8>, lengthSize: NALUnitLengthSize = .four) {
        self.bytes = bytes
        self.lengthSize = lengthSize
        index = bytes.startIndex
    }

    /// The next NAL unit (a slice of the input, with its indices), or nil at the end. A length
    /// field cut short, a zero length or a length past the end throws.
    public mutating func next() throws(CodecError) -> ArraySlice<UInt8>? {
        let structure = "length-prefixed NAL units"
        let remaining = bytes.endIndex - index
        guard remaining > 0 else { return nil }
        guard remaining >= lengthSize.rawValue else {
            throw .truncated(structure: structure, field: "NAL unit length",
                             .truncated(needed: lengthSize.rawValue, remaining: remaining, at: position))
        }
        var length = 0
        for i in 0..<lengthSize.rawValue { length = (length << 8) | Int(bytes[index + i]) }
        let start = index + lengthSize.rawValue
        guard length > 0 else {
            // A NAL unit has at least its header byte; a zero length means a corrupt sample.
            throw .invalidValue(structure: structure, field: "NAL unit length", value: 0)
        }
        guard length <= bytes.endIndex - start else {
            throw .truncated(structure: structure, field: "NAL unit",
                             .truncated(needed: length, remaining: bytes.endIndex - start, at: start - bytes.startIndex))
        }
        index = start + length
        return bytes[start..<start + length]
    }
}
