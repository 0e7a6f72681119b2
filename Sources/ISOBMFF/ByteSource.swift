import MediaCore

/// Random access to the bytes of a file, or of an in-memory copy of one (tests, fuzzing):
/// the box tree and the sample reader run the same code over both.
protocol ByteSource: Sendable {
    var size: Int64 { get }
    /// Up to `count` bytes at `offset`; fewer only at the end of the data.
    func read(count: Int, at offset: Int64) throws(MP4ParseError) -> [UInt8]
}
