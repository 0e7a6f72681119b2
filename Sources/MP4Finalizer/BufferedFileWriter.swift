import MediaCore

/// Writes big-endian values to a file region starting at a fixed offset, through a buffer,
/// with positioned writes: several of them fill the sample tables of one moov side by side in
/// a single pass over the records.
struct BufferedFileWriter {
    let file: FileDescriptor
    private(set) var offset: Int64
    private var buffer: [UInt8] = []
    private(set) var bytesWritten: Int64 = 0

    static let bufferSize = 64 << 10

    init(file: FileDescriptor, offset: Int64) {
        self.file = file
        self.offset = offset
        buffer.reserveCapacity(Self.bufferSize)
    }

    @inline(__always)
    mutating func write<T: FixedWidthInteger>(_ value: T) throws(SystemError) {
        withUnsafeBytes(of: value.bigEndian) { buffer.append(contentsOf: $0) }
        if buffer.count >= Self.bufferSize { try flush() }
    }

    mutating func write(bytes: [UInt8]) throws(SystemError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferSize { try flush() }
    }

    mutating func flush() throws(SystemError) {
        guard !buffer.isEmpty else { return }
        try file.writeAll(buffer, toAbsoluteOffset: offset)
        offset += Int64(buffer.count)
        bytesWritten += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }
}
