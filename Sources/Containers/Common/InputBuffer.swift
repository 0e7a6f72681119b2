/// Bytes pushed into an incremental reader and not yet consumed. Consuming moves a start
/// index; the storage is compacted only when the consumed head is large, so feeding a reader
/// in small pieces stays linear. Shared by the FLV and TS readers and the RTMP chunk decoder.
public struct InputBuffer: Sendable {
    /// Compact once this much has been consumed (and it is at least half the storage):
    /// large enough that the copy is rare, small enough not to hold a socket's worth of history.
    public static let compactionThreshold = 64 * 1024

    private var storage: [UInt8] = []
    private var start = 0
    /// Bytes consumed since the reader was created: the stream offset of the next byte.
    public private(set) var consumedTotal: Int64 = 0

    public init() {}

    public var count: Int { storage.count - start }
    public var isEmpty: Bool { count == 0 }

    public mutating func append<C: Collection<UInt8>>(_ bytes: C) {
        storage.append(contentsOf: bytes)
    }

    /// The byte `offset` bytes past the start. The caller checks `offset < count`.
    public subscript(offset: Int) -> UInt8 { storage[start + offset] }

    /// `length` bytes from `offset`, copied out. The caller checks the range.
    public func bytes(from offset: Int, count length: Int) -> [UInt8] {
        Array(storage[(start + offset)..<(start + offset + length)])
    }

    /// A big-endian unsigned value of `width` bytes at `offset`. The caller checks the range.
    public func integer(at offset: Int, width: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<width { value = value << 8 | UInt64(storage[start + offset + i]) }
        return value
    }

    /// A little-endian 32-bit value at `offset` (RTMP's message stream ID, 5.3.1.2.1). The
    /// caller checks the range.
    public func littleEndian32(at offset: Int) -> UInt32 {
        var value: UInt32 = 0
        for i in (0..<4).reversed() { value = value << 8 | UInt32(storage[start + offset + i]) }
        return value
    }

    /// `length` bytes from `offset`, appended to `target` (no intermediate array). The caller
    /// checks the range.
    public func copy(from offset: Int, count length: Int, into target: inout [UInt8]) {
        target.append(contentsOf: storage[(start + offset)..<(start + offset + length)])
    }

    /// The unconsumed bytes, as a slice.
    public var unconsumed: ArraySlice<UInt8> { storage[start...] }

    /// The first index at or after `offset` where `byte` occurs, or nil.
    public func firstIndex(of byte: UInt8, from offset: Int) -> Int? {
        var i = start + offset
        while i < storage.count {
            if storage[i] == byte { return i - start }
            i += 1
        }
        return nil
    }

    public mutating func consume(_ length: Int) {
        precondition(length >= 0 && length <= count, "consume past the buffered bytes")
        start += length
        consumedTotal += Int64(length)
        if start == storage.count {
            storage.removeAll(keepingCapacity: storage.capacity <= 4 * Self.compactionThreshold)
            start = 0
        } else if start >= Self.compactionThreshold && start * 2 >= storage.count {
            storage.removeSubrange(0..<start)
            start = 0
        }
    }
}
