import MediaCore

/// Reads payloads of mostly increasing offsets through a large window, so that checking
/// millions of samples costs a few large reads, not a system call per sample.
struct WindowedReader {
    let file: FileDescriptor
    let size: Int64
    private var window: [UInt8] = []
    private var windowStart: Int64 = 0

    /// Bytes per read; a sample larger than this is read on its own.
    static let windowSize = 4 << 20

    init(file: FileDescriptor, size: Int64) {
        self.file = file
        self.size = size
    }

    /// True when the payload the record points at has the checksum the record carries.
    mutating func checksumMatches(_ record: StagingRecord) throws(SystemError) -> Bool {
        let start = Int64(record.offset), length = Int(record.size)
        if length > Self.windowSize {
            return CRC32C.checksum(try file.read(count: length, fromAbsoluteOffset: start)) == record.payloadCRC
        }
        if start < windowStart || start + Int64(length) > windowStart + Int64(window.count) {
            window = try file.read(count: Self.windowSize, fromAbsoluteOffset: start)
            windowStart = start
            guard window.count >= length else { return false }
        }
        let from = Int(start - windowStart)
        return CRC32C.checksum(window[from..<from + length]) == record.payloadCRC
    }
}
