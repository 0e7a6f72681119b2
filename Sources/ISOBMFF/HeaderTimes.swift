import MediaCore

/// The fields that open both `mvhd` and `mdhd` (ISO/IEC 14496-12 8.2.2, 8.4.2): the FullBox
/// version, which sets the width of the times, then creation and modification time, timescale
/// and duration. Read and written here once for both boxes.
///
/// ```
/// version(8) flags(24)=0 creation_time(32|64) modification_time(32|64) timescale(32) duration(32|64)
/// ```
public struct HeaderTimes: Sendable, Equatable {
    /// 1 when times are 64-bit. Kept so that a parsed box writes back byte for byte.
    public var version: UInt8
    /// Seconds since 1904-01-01 UTC.
    public var creationTime: UInt64
    public var modificationTime: UInt64
    public var timescale: UInt32
    /// Length in `timescale` units.
    public var duration: UInt64

    /// Times for a new box; 64-bit fields only when a value needs them.
    public init(timescale: UInt32, duration: UInt64, creationTime: UInt64 = 0, modificationTime: UInt64 = 0) {
        version = Self.version(fitting: creationTime, modificationTime, duration)
        self.creationTime = creationTime
        self.modificationTime = modificationTime
        self.timescale = timescale
        self.duration = duration
    }

    init(reading body: inout ByteReader, in box: FourCC) throws(MP4ParseError) {
        version = try body.readVersion(in: box, supported: 0...1).version
        creationTime = try body.readTime(version: version, in: box)
        modificationTime = try body.readTime(version: version, in: box)
        timescale = try body.read(in: box)
        duration = try body.readTime(version: version, in: box)
    }

    /// version+flags, three times, timescale.
    var byteCount: Int { 4 + (version == 1 ? 28 : 16) }

    func write(to writer: inout ByteWriter) {
        writer.writeVersionAndFlags(version, 0)
        writer.writeTime(creationTime, version: version)
        writer.writeTime(modificationTime, version: version)
        writer.write(timescale)
        writer.writeTime(duration, version: version)
    }

    /// The version whose time fields hold every one of `times`: 1 (64-bit) only when one needs it.
    static func version(fitting times: UInt64...) -> UInt8 {
        times.contains { $0 > UInt64(UInt32.max) } ? 1 : 0
    }
}
