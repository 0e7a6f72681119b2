import MediaCore

/// The bytes of a file held in memory.
struct MemoryByteSource: ByteSource {
    let bytes: [UInt8]
    var size: Int64 { Int64(bytes.count) }

    func read(count: Int, at offset: Int64) throws(MP4ParseError) -> [UInt8] {
        let start = Int(min(max(offset, 0), size))
        return Array(bytes[start..<min(start + count, bytes.count)])
    }
}
