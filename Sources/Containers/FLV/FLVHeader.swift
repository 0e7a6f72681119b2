/// The FLV file header (Adobe FLV spec v10.1, E.2): 9 bytes, followed in the file by
/// PreviousTagSize0 (always 0).
///
/// ```
/// 'F' 'L' 'V' | version=1 | 00000 audio(1) 0 video(1) | DataOffset(32)=9
/// ```
public struct FLVHeader: Sendable, Equatable {
    public static let signature: [UInt8] = Array("FLV".utf8)
    /// The header of version 1; DataOffset may be larger in later versions (the reader skips).
    public static let size = 9
    /// A DataOffset beyond this cannot be a real header: version 1 headers are 9 bytes, and
    /// the reader would otherwise wait for (or skip) gigabytes.
    public static let maxDataOffset: UInt32 = 1024

    public var version: UInt8
    public var hasAudio: Bool
    public var hasVideo: Bool
    /// Where the body (PreviousTagSize0) starts.
    public var dataOffset: UInt32

    public init(hasAudio: Bool, hasVideo: Bool) {
        version = 1
        self.hasAudio = hasAudio
        self.hasVideo = hasVideo
        dataOffset = UInt32(Self.size)
    }

    /// Parses the first `size` bytes of `bytes`.
    public init(parsing bytes: [UInt8]) throws(FLVError) {
        guard bytes.count >= Self.size else { throw .invalidHeader(reason: "\(bytes.count) bytes, 9 needed") }
        guard Array(bytes[0..<3]) == Self.signature else { throw .invalidHeader(reason: "no FLV signature") }
        version = bytes[3]
        guard version == 1 else { throw .invalidHeader(reason: "version \(version)") }
        hasAudio = bytes[4] & 0x04 != 0
        hasVideo = bytes[4] & 0x01 != 0
        dataOffset = UInt32(bytes[5]) << 24 | UInt32(bytes[6]) << 16 | UInt32(bytes[7]) << 8 | UInt32(bytes[8])
        guard dataOffset >= UInt32(Self.size), dataOffset <= Self.maxDataOffset else {
            throw .invalidHeader(reason: "DataOffset \(dataOffset)")
        }
    }

    /// The header's 9 bytes (DataOffset 9: a writer adds nothing after the header).
    public func serialized() -> [UInt8] {
        Self.signature + [version, (hasAudio ? 0x04 : 0) | (hasVideo ? 0x01 : 0), 0, 0, 0, UInt8(Self.size)]
    }
}
