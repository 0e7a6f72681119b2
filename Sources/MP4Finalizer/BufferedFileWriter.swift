import MediaCore

/// Writes big-endian values to a file region starting at a fixed offset, through a buffer,
/// with positioned writes: several of them fill the sample tables of one moov side by side in
/// a single pass over the records.
struct BufferedFileWriter {
    let file: FileDescriptor
    private(set) var offset: Int64
    /// Fixed size; `used` bytes of it are pending. Values are stored in place (no append), as
    /// this runs several times per sample of the recording.
    private var buffer: [UInt8]
    private var used = 0
    private(set) var bytesWritten: Int64 = 0

    static let bufferSize = 64 << 10

    init(file: FileDescriptor, offset: Int64) {
        self.file = file
        self.offset = offset
        buffer = [UInt8](repeating: 0, count: Self.bufferSize)
    }

    @inline(__always)
    mutating func write<T: FixedWidthInteger>(_ value: T) throws(SystemError) {
        if used + MemoryLayout<T>.size > Self.bufferSize { try flush() }
        let at = used
        buffer.withUnsafeMutableBytes { $0.storeBytes(of: value.bigEndian, toByteOffset: at, as: T.self) }
        used += MemoryLayout<T>.size
    }

    mutating func flush() throws(SystemError) {
        guard used > 0 else { return }
        let count = used
        try buffer.withUnsafeBytes { raw in
            Result { () throws(SystemError) in try file.writeAll(UnsafeRawBufferPointer(rebasing: raw[0..<count]), toAbsoluteOffset: offset) }
        }.get()
        offset += Int64(count)
        bytesWritten += Int64(count)
        used = 0
    }
}
