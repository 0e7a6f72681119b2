/// Byte parts waiting to go to a file together in one `writev`: a file writer holds a batch of
/// frames here (their payloads as slices of the buffers they arrived in, not copied) until its
/// owner flushes, so a batch costs one system call instead of one per frame.
public struct HeldWrites {
    /// Bytes held at most before the holder should write anyway (bounds memory and what a
    /// kill -9 finds still in user space).
    public static let maxBytes = 1 << 20

    private var parts: [ArraySlice<UInt8>] = []
    public private(set) var byteCount = 0

    public init() {}

    public var isEmpty: Bool { parts.isEmpty }

    /// Whether the holder should write now: `maxBytes` reached, or another frame's parts
    /// (at most `partsPerFrame`) would not fit one `writev`.
    public func isFull(partsPerFrame: Int) -> Bool {
        byteCount >= Self.maxBytes || parts.count + partsPerFrame > FileDescriptor.maxPartsPerWrite
    }

    public mutating func append(_ part: ArraySlice<UInt8>) {
        parts.append(part)
        byteCount += part.count
    }

    /// Writes what is held at `file`'s position and lets go of it; nothing when empty.
    /// After a failure what is held is kept: the caller stops using the file.
    public mutating func write(to file: FileDescriptor) throws(SystemError) {
        guard !parts.isEmpty else { return }
        try file.writeAll(gathering: parts)
        parts.removeAll(keepingCapacity: true)
        byteCount = 0
    }
}
