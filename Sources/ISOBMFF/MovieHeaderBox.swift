import MediaCore

/// `mvhd`: movie timescale and duration. Contained in `moov`. (ISO/IEC 14496-12 8.2.2)
///
/// The movie timescale is the clock of `tkhd` and `elst` durations; each track's samples run
/// on the track's own `mdhd` timescale.
public struct MovieHeaderBox: Box {
    public static let type: FourCC = "mvhd"

    /// The duration is the length of the presentation.
    public var times: HeaderTimes
    /// Preferred rate, 16.16 fixed point (0x00010000: normal speed).
    public var rate: Int32
    /// Preferred volume, 8.8 fixed point (0x0100: full).
    public var volume: Int16
    public var matrix: TransformMatrix
    public var nextTrackID: UInt32

    /// A header for a new movie; 64-bit fields only when a value needs them.
    public init(timescale: UInt32, duration: UInt64, nextTrackID: UInt32,
                creationTime: UInt64 = 0, modificationTime: UInt64 = 0) {
        times = HeaderTimes(timescale: timescale, duration: duration, creationTime: creationTime,
                            modificationTime: modificationTime)
        rate = 0x0001_0000
        volume = 0x0100
        matrix = .identity
        self.nextTrackID = nextTrackID
    }

    public init(body: inout ByteReader) throws(MP4ParseError) {
        let t = Self.type
        times = try HeaderTimes(reading: &body, in: t)
        rate = try body.read(in: t)
        volume = try body.read(in: t)
        try body.skip(2 + 8, in: t)                   // reserved
        matrix = try TransformMatrix(reading: &body, in: t)
        try body.skip(24, in: t)                      // pre_defined
        nextTrackID = try body.read(in: t)
    }

    // times, then rate, volume, reserved, matrix, pre_defined, next_track_ID
    public var bodySize: Int { times.byteCount + 4 + 2 + 10 + TransformMatrix.byteCount + 24 + 4 }

    public func writeBody(to writer: inout ByteWriter) {
        times.write(to: &writer)
        writer.write(rate)
        writer.write(volume)
        writer.writeZeros(10)
        matrix.write(to: &writer)
        writer.writeZeros(24)
        writer.write(nextTrackID)
    }
}
