/// A bounds-checked big-endian reader over a byte array.
///
/// `read*` moves the cursor, `peek*` does not. Every read checks the bytes that remain and
/// throws `ByteReaderError` instead of trapping, so parsers of untrusted input never crash.
public struct ByteReader: Sendable {
    public let bytes: [UInt8]
    /// Index of the next byte to read.
    public private(set) var position: Int
    /// One past the last byte this reader may read (a sub-range of `bytes`).
    public let end: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.position = 0
        self.end = bytes.count
    }

    public init<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        self.init(Array(bytes))
    }

    private init(bytes: [UInt8], position: Int, end: Int) {
        self.bytes = bytes
        self.position = position
        self.end = end
    }

    public var remaining: Int { end - position }
    public var isAtEnd: Bool { position >= end }

    // Inlinable, so that callers in other modules get a specialized copy: unspecialized,
    // every byte went through FixedWidthInteger's witness table, and reading the sample
    // tables of an hour of chunks (GET /export) took most of a second.
    @inlinable
    public mutating func readInteger<T: FixedWidthInteger>(_: T.Type = T.self) throws(ByteReaderError) -> T {
        let value: T = try peekInteger()
        advance(by: MemoryLayout<T>.size)
        return value
    }

    @usableFromInline
    mutating func advance(by count: Int) { position += count }

    @inlinable
    public func peekInteger<T: FixedWidthInteger>(_: T.Type = T.self) throws(ByteReaderError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw .truncated(needed: size, remaining: remaining, at: position) }
        var value: T = 0
        for i in 0..<size {
            value = (value << 8) | T(truncatingIfNeeded: bytes[position + i])
        }
        return value
    }

    /// Reads a big-endian unsigned integer of `byteCount` bytes (1...8), e.g. 24-bit fields.
    public mutating func readUInt(byteCount: Int) throws(ByteReaderError) -> UInt64 {
        precondition((1...8).contains(byteCount), "readUInt(byteCount:) takes 1 to 8 bytes")
        guard remaining >= byteCount else { throw .truncated(needed: byteCount, remaining: remaining, at: position) }
        var value: UInt64 = 0
        for i in 0..<byteCount { value = (value << 8) | UInt64(bytes[position + i]) }
        position += byteCount
        return value
    }

    public mutating func readBytes(_ count: Int) throws(ByteReaderError) -> [UInt8] {
        guard count >= 0 else { throw .invalidLength(count, at: position) }
        guard remaining >= count else { throw .truncated(needed: count, remaining: remaining, at: position) }
        let slice = Array(bytes[position..<position + count])
        position += count
        return slice
    }

    /// The bytes left, as a slice sharing the reader's storage (no copy); its indices are the
    /// storage's.
    public mutating func readRemainingSlice() -> ArraySlice<UInt8> {
        let slice = bytes[position..<end]
        position = end
        return slice
    }

    public mutating func readRemainingBytes() -> [UInt8] {
        let slice = Array(bytes[position..<end])
        position = end
        return slice
    }

    public mutating func skip(_ count: Int) throws(ByteReaderError) {
        guard count >= 0 else { throw .invalidLength(count, at: position) }
        guard remaining >= count else { throw .truncated(needed: count, remaining: remaining, at: position) }
        position += count
    }

    /// Reads a four-character code.
    public mutating func readFourCC() throws(ByteReaderError) -> FourCC {
        FourCC(rawValue: try readInteger(UInt32.self))
    }

    /// Returns a reader over the next `count` bytes and moves past them.
    public mutating func readSubReader(_ count: Int) throws(ByteReaderError) -> ByteReader {
        guard count >= 0 else { throw .invalidLength(count, at: position) }
        guard remaining >= count else { throw .truncated(needed: count, remaining: remaining, at: position) }
        let sub = ByteReader(bytes: bytes, position: position, end: position + count)
        position += count
        return sub
    }
}

/// Why a `ByteReader` refused a read.
public enum ByteReaderError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated(needed: Int, remaining: Int, at: Int)
    case invalidLength(Int, at: Int)

    public var description: String {
        switch self {
        case let .truncated(needed, remaining, at):
            return "truncated data: needed \(needed) bytes at offset \(at), \(remaining) remain"
        case let .invalidLength(length, at):
            return "invalid length \(length) at offset \(at)"
        }
    }
}
