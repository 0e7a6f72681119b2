import MediaCore

/// `mvhd`: movie timescale and duration. Contained in `moov`. (ISO/IEC 14496-12 8.2.2)
///
/// The movie timescale is the clock of `tkhd` and `elst` durations; each track's samples run
/// on the track's own `mdhd` timescale.
public struct MovieHeaderBox: Box {
    public static let type: FourCC = "mvhd"

    /// 1 when times are 64-bit. Kept so that a parsed box writes back byte for byte.
    public var version: UInt8
    /// Seconds since 1904-01-01 UTC.
    public var creationTime: UInt64
    public var modificationTime: UInt64
    public var timescale: UInt32
    /// Length of the presentation in `timescale` units.
    public var duration: UInt64
    /// Preferred rate, 16.16 fixed point (0x00010000: normal speed).
    public var rate: Int32
    /// Preferred volume, 8.8 fixed point (0x0100: full).
    public var volume: Int16
    public var matrix: TransformMatrix
    public var nextTrackID: UInt32

    /// A header for a new movie; 64-bit fields only when a value needs them.
    public init(timescale: UInt32, duration: UInt64, nextTrackID: UInt32,
                creationTime: UInt64 = 0, modificationTime: UInt64 = 0) {
        version = max(creationTime, modificationTime, duration) > UInt64(UInt32.max) ? 1 : 0
        self.creationTime = creationTime
        self.modificationTime = modificationTime
        self.timescale = timescale
        self.duration = duration
        rate = 0x0001_0000
        volume = 0x0100
        matrix = .identity
        self.nextTrackID = nextTrackID
    }

    public init(body: inout ByteReader) throws(MP4ParseError) {
        let t = Self.type
        version = try body.readVersion(in: t, supported: 0...1).version
        creationTime = try body.readTime(version: version, in: t)
        modificationTime = try body.readTime(version: version, in: t)
        timescale = try body.read(in: t)
        duration = try body.readTime(version: version, in: t)
        rate = try body.read(in: t)
        volume = try body.read(in: t)
        try body.skip(2 + 8, in: t)                   // reserved
        matrix = try TransformMatrix(reading: &body, in: t)
        try body.skip(24, in: t)                      // pre_defined
        nextTrackID = try body.read(in: t)
    }

    // version+flags, three times, timescale, then rate, volume, reserved, matrix, pre_defined, next_track_ID
    public var bodySize: Int { 4 + (version == 1 ? 28 : 16) + 4 + 2 + 10 + TransformMatrix.byteCount + 24 + 4 }

    public func writeBody(to writer: inout ByteWriter) {
        writer.writeVersionAndFlags(version, 0)
        writer.writeTime(creationTime, version: version)
        writer.writeTime(modificationTime, version: version)
        writer.write(timescale)
        writer.writeTime(duration, version: version)
        writer.write(rate)
        writer.write(volume)
        writer.writeZeros(10)
        matrix.write(to: &writer)
        writer.writeZeros(24)
        writer.write(nextTrackID)
    }
}
