/// Bytes pushed into an incremental reader and not yet consumed. Consuming moves a start
/// index; the storage is compacted only when the consumed head is large, so feeding a reader
/// in small pieces stays linear. Shared by the FLV and TS readers and the RTMP chunk decoder.
/// A socket reads straight into it (`append(upTo:from:)`), so the bytes are not copied on
/// their way in.
public struct InputBuffer: Sendable {
    /// Compact once this much has been consumed (and it is at least half the storage):
    /// large enough that the copy is rare, small enough not to hold a socket's worth of history.
    public static let compactionThreshold = 64 * 1024

    private var storage: [UInt8] = []
    private var start = 0
    /// The storage came from a read (`append(upTo:from:)`): the next read replaces it, so
    /// compacting it would only copy bytes once more.
    private var storageFromRead = false
    /// Bytes consumed since the reader was created: the stream offset of the next byte.
    public private(set) var consumedTotal: Int64 = 0

    public init() {}

    public var count: Int { storage.count - start }
    public var isEmpty: Bool { count == 0 }

    public mutating func append<C: Collection<UInt8>>(_ bytes: C) {
        storage.append(contentsOf: bytes)
        storageFromRead = false
    }

    /// Appends up to `maximum` bytes that `fill` writes (a socket read), with no copy of them:
    /// `fill` reads straight into new storage, which takes over from the old one. The bytes
    /// still pending (usually the start of a chunk or packet, a few KiB) move to its front,
    /// so the storage stays one contiguous array. `fill` returns how many bytes it wrote;
    /// its result comes back with that count.
    public mutating func append<Outcome>(upTo maximum: Int,
                                         from fill: (UnsafeMutableRawBufferPointer) -> (count: Int, outcome: Outcome)) -> Outcome {
        let pending = count
        var outcome: Outcome?
        let fresh = [UInt8](unsafeUninitializedCapacity: pending + maximum) { buffer, initialized in
            if pending > 0 {
                storage.withUnsafeBufferPointer { old in
                    buffer.baseAddress!.initialize(from: old.baseAddress! + start, count: pending)
                }
            }
            let filled = fill(UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[pending...])))
            precondition(filled.count >= 0 && filled.count <= maximum, "fill wrote outside its buffer")
            initialized = pending + filled.count
            outcome = filled.outcome
        }
        storage = fresh
        start = 0
        storageFromRead = true
        return outcome!
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

    /// `length` bytes from `offset`, appended to `target` (no intermediate array or slice: a
    /// slice per RTMP chunk cost a retain and release each). The caller checks the range.
    public func copy(from offset: Int, count length: Int, into target: inout [UInt8]) {
        storage.withUnsafeBufferPointer { source in
            target.append(contentsOf: UnsafeBufferPointer(rebasing: source[(start + offset)..<(start + offset + length)]))
        }
    }

    /// `length` bytes from `offset` as a slice sharing the storage (no copy). The caller checks
    /// the range, and lets the slice go before consuming or appending (else those copy the
    /// storage, which the slice keeps alive).
    public func slice(from offset: Int, count length: Int) -> ArraySlice<UInt8> {
        storage[(start + offset)..<(start + offset + length)]
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
        } else if !storageFromRead && start >= Self.compactionThreshold && start * 2 >= storage.count {
            storage.removeSubrange(0..<start)
            start = 0
        }
    }
}
