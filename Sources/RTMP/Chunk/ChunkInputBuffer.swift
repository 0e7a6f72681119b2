/// Bytes received and not yet consumed by the chunk decoder. Consuming moves a start index;
/// storage is compacted only when the consumed head is large, so a socket feeding small pieces
/// costs linear time.
struct ChunkInputBuffer: Sendable {
    /// Compact once this much has been consumed and it is at least half the storage: the copy
    /// is rare, and no more than a socket read or two of history is held.
    static let compactionThreshold = 64 * 1024

    private var storage: [UInt8] = []
    private var start = 0

    var count: Int { storage.count - start }

    mutating func append<C: Collection<UInt8>>(_ bytes: C) {
        storage.append(contentsOf: bytes)
    }

    /// The byte `offset` past the start; the caller checks `offset < count`.
    subscript(offset: Int) -> UInt8 { storage[start + offset] }

    /// A big-endian value of `width` bytes at `offset`; the caller checks the range.
    func bigEndian(at offset: Int, width: Int) -> UInt32 {
        var value: UInt32 = 0
        for i in 0..<width { value = value << 8 | UInt32(storage[start + offset + i]) }
        return value
    }

    /// A little-endian 32-bit value at `offset` (the message stream ID of a type 0 header,
    /// 5.3.1.2.1); the caller checks the range.
    func littleEndian32(at offset: Int) -> UInt32 {
        var value: UInt32 = 0
        for i in (0..<4).reversed() { value = value << 8 | UInt32(storage[start + offset + i]) }
        return value
    }

    /// `length` bytes from `offset`, appended to `target`; the caller checks the range.
    func copy(from offset: Int, count length: Int, into target: inout [UInt8]) {
        target.append(contentsOf: storage[(start + offset)..<(start + offset + length)])
    }

    /// The unconsumed bytes, as a slice (the handshake reads them).
    var unconsumed: ArraySlice<UInt8> { storage[start...] }

    mutating func consume(_ length: Int) {
        precondition(length >= 0 && length <= count, "consume past the buffered bytes")
        start += length
        if start == storage.count {
            storage.removeAll(keepingCapacity: storage.capacity <= 4 * Self.compactionThreshold)
            start = 0
        } else if start >= Self.compactionThreshold && start * 2 >= storage.count {
            storage.removeSubrange(0..<start)
            start = 0
        }
    }
}
