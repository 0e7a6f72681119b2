/// Bytes pushed into an incremental reader and not yet consumed. Consuming moves a start
/// index; the storage is compacted only when the consumed head is large, so feeding a reader
/// in small pieces stays linear.
struct InputBuffer: Sendable {
    /// Compact once this much has been consumed (and it is at least half the storage):
    /// large enough that the copy is rare, small enough not to hold a socket's worth of history.
    static let compactionThreshold = 64 * 1024

    private var storage: [UInt8] = []
    private var start = 0
    /// Bytes consumed since the reader was created: the stream offset of the next byte.
    private(set) var consumedTotal: Int64 = 0

    var count: Int { storage.count - start }
    var isEmpty: Bool { count == 0 }

    mutating func append<C: Collection<UInt8>>(_ bytes: C) {
        storage.append(contentsOf: bytes)
    }

    /// The byte `offset` bytes past the start. The caller checks `offset < count`.
    subscript(offset: Int) -> UInt8 { storage[start + offset] }

    /// `length` bytes from `offset`, copied out. The caller checks the range.
    func bytes(from offset: Int, count length: Int) -> [UInt8] {
        Array(storage[(start + offset)..<(start + offset + length)])
    }

    /// A big-endian unsigned value of `width` bytes at `offset`. The caller checks the range.
    func integer(at offset: Int, width: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<width { value = value << 8 | UInt64(storage[start + offset + i]) }
        return value
    }

    /// The first index at or after `offset` where `byte` occurs, or nil.
    func firstIndex(of byte: UInt8, from offset: Int) -> Int? {
        var i = start + offset
        while i < storage.count {
            if storage[i] == byte { return i - start }
            i += 1
        }
        return nil
    }

    mutating func consume(_ length: Int) {
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
