import MediaCore

/// The 48-byte header at the start of a track file. It names the track and the set it belongs
/// to, so that track files can be read without `.info`.
///
/// Layout (big-endian): magic "SRSTGTRK", version u16, header size u16, track id u32,
/// codec u8, reserved u8+u16, timescale u32, creation time u64 (Unix seconds), set id u64,
/// reserved u32, CRC-32C u32 of the 44 bytes before it.
public struct StagingTrackHeader: Sendable, Equatable {
    public var trackID: UInt32
    public var codec: Codec
    public var timescale: UInt32
    public var creationTime: UInt64
    public var setID: UInt64

    public func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: StagingFormat.trackHeaderSize)
        w.write(bytes: StagingFormat.trackMagic)
        w.write(StagingFormat.version)
        w.write(UInt16(StagingFormat.trackHeaderSize))
        w.write(trackID)
        w.write(codec.rawValue)
        w.writeZeros(3)
        w.write(timescale)
        w.write(creationTime)
        w.write(setID)
        w.writeZeros(4)
        w.write(CRC32C.checksum(w.bytes))
        return w.bytes
    }

    private static func crcField(_ bytes: [UInt8]) -> UInt32 {
        bytes[44..<48].reduce(0) { ($0 << 8) | UInt32($1) }
    }
}

// In an extension so that the struct keeps its memberwise initializer.
extension StagingTrackHeader {
    public init(decoding bytes: [UInt8], path: String) throws(StagingError) {
        guard bytes.count >= StagingFormat.trackHeaderSize else {
            throw .malformed(path: path, reason: "track header truncated (\(bytes.count) of \(StagingFormat.trackHeaderSize) bytes)")
        }
        guard Array(bytes[0..<8]) == StagingFormat.trackMagic else {
            throw .malformed(path: path, reason: "not a staging track file (bad magic)")
        }
        guard CRC32C.checksum(bytes[0..<44]) == Self.crcField(bytes) else {
            throw .malformed(path: path, reason: "track header checksum mismatch")
        }
        var r = ByteReader(bytes[0..<StagingFormat.trackHeaderSize])
        do {
            try r.skip(8)
            let version: UInt16 = try r.readInteger()
            guard version == StagingFormat.version else {
                throw StagingError.malformed(path: path, reason: "unsupported staging format version \(version)")
            }
            _ = try r.readInteger(UInt16.self)
            trackID = try r.readInteger()
            let codecValue: UInt8 = try r.readInteger()
            guard let codec = Codec(rawValue: codecValue), StagingFormat.storableCodecs.contains(codec) else {
                throw StagingError.malformed(path: path, reason: "unknown codec \(codecValue)")
            }
            self.codec = codec
            try r.skip(3)
            timescale = try r.readInteger()
            guard timescale > 0 else { throw StagingError.malformed(path: path, reason: "timescale is 0") }
            creationTime = try r.readInteger()
            setID = try r.readInteger()
        } catch let e as StagingError {
            throw e
        } catch {
            throw .malformed(path: path, reason: "track header: \(error)")
        }
    }
}
