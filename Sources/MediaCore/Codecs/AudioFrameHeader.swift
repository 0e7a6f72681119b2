/// The header of a compressed audio frame that gives the whole frame's length (MPEG audio,
/// AC-3, E-AC-3): what it takes to split a run of whole frames (a TS PES payload, an FLV tag
/// body) at their headers.
protocol AudioFrameHeader: Sendable {
    /// Parses and validates the header at the start of `bytes` (which may hold more).
    init<C: Collection<UInt8>>(parsing bytes: C) throws(CodecError)
    /// The frame in bytes, header included.
    var frameLength: Int { get }
    static var structure: String { get }
}

extension AudioFrameHeader {
    /// Splits a run of whole frames at their headers. A frame cut short at the end throws,
    /// naming `frameBodyField`, the syntax element after the header.
    static func splitFrames(_ bytes: [UInt8], frameBodyField: String) throws(CodecError) -> [(header: Self, frame: ArraySlice<UInt8>)] {
        var frames: [(header: Self, frame: ArraySlice<UInt8>)] = []
        var offset = 0
        while offset < bytes.count {
            let header = try Self(parsing: bytes[offset...])
            guard header.frameLength <= bytes.count - offset else {
                throw .truncated(structure: structure, field: frameBodyField,
                                 .truncated(needed: header.frameLength, remaining: bytes.count - offset, at: offset))
            }
            frames.append((header, bytes[offset..<(offset + header.frameLength)]))
            offset += header.frameLength
        }
        return frames
    }
}
