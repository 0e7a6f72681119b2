/// A big-endian byte writer that grows an array.
///
/// `write` appends; `set(_:at:)` backpatches a value already reserved (used where a length is
/// only known after its body is written).
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }

    // Inlinable for the same reason as ByteReader.readInteger: specialized in the caller, a
    // quarter million table entries (an hour's export moov) are written in milliseconds.
    @inlinable
    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        var v = value.bigEndian
        withUnsafeBytes(of: &v) { raw in append(raw) }
    }

    @usableFromInline
    mutating func append(_ raw: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: raw)
    }

    /// Writes the low `byteCount` bytes of `value`, big-endian (e.g. 24-bit fields).
    public mutating func writeUInt(_ value: UInt64, byteCount: Int) {
        precondition((1...8).contains(byteCount), "writeUInt(_:byteCount:) takes 1 to 8 bytes")
        for i in stride(from: byteCount - 1, through: 0, by: -1) {
            bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))))
        }
    }

    public mutating func write<C: Collection>(bytes other: C) where C.Element == UInt8 {
        bytes.append(contentsOf: other)
    }

    public mutating func write(_ fourCC: FourCC) {
        write(fourCC.rawValue)
    }

    public mutating func writeZeros(_ count: Int) {
        bytes.append(contentsOf: repeatElement(0, count: count))
    }

    /// Overwrites an integer previously written at `offset`.
    public mutating func set<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        let size = MemoryLayout<T>.size
        precondition(offset >= 0 && offset + size <= bytes.count, "set(_:at:) outside written bytes")
        for i in 0..<size {
            bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * (size - 1 - i)))
        }
    }

    public mutating func removeAll(keepingCapacity: Bool = true) {
        bytes.removeAll(keepingCapacity: keepingCapacity)
    }
}
