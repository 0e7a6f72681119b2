import MediaCore

/// `tkhd`: track identity, duration and visual size. Contained in `trak`. (ISO/IEC 14496-12 8.3.2)
public struct TrackHeaderBox: Box {
    public static let type: FourCC = "tkhd"

    /// Flag bits (8.3.2.3): the track is enabled, used in the presentation, used in previews.
    public static let enabled: UInt32 = 0x1
    public static let inMovie: UInt32 = 0x2
    public static let inPreview: UInt32 = 0x4

    public var version: UInt8
    public var flags: UInt32
    public var creationTime: UInt64
    public var modificationTime: UInt64
    public var trackID: UInt32
    /// Duration of the track's edits, in the movie (`mvhd`) timescale.
    public var duration: UInt64
    public var layer: Int16
    public var alternateGroup: Int16
    /// 8.8 fixed point: 0x0100 for audio, 0 for video.
    public var volume: Int16
    public var matrix: TransformMatrix
    /// Presentation size, 16.16 fixed point; 0 for audio.
    public var width: UInt32
    public var height: UInt32

    /// A header for a new track; 64-bit fields only when a value needs them.
    public init(trackID: UInt32, duration: UInt64, isAudio: Bool, width: UInt16 = 0, height: UInt16 = 0,
                flags: UInt32 = TrackHeaderBox.enabled | TrackHeaderBox.inMovie,
                creationTime: UInt64 = 0, modificationTime: UInt64 = 0) {
        version = HeaderTimes.version(fitting: creationTime, modificationTime, duration)
        self.flags = flags
        self.creationTime = creationTime
        self.modificationTime = modificationTime
        self.trackID = trackID
        self.duration = duration
        layer = 0
        alternateGroup = isAudio ? 1 : 0
        volume = isAudio ? 0x0100 : 0
        matrix = .identity
        self.width = UInt32(width) << 16
        self.height = UInt32(height) << 16
    }

    public init(body: inout ByteReader) throws(MP4ParseError) {
        let t = Self.type
        (version, flags) = try body.readVersion(in: t, supported: 0...1)
        creationTime = try body.readTime(version: version, in: t)
        modificationTime = try body.readTime(version: version, in: t)
        trackID = try body.read(in: t)
        try body.skip(4, in: t)                       // reserved
        duration = try body.readTime(version: version, in: t)
        try body.skip(8, in: t)                       // reserved
        layer = try body.read(in: t)
        alternateGroup = try body.read(in: t)
        volume = try body.read(in: t)
        try body.skip(2, in: t)                       // reserved
        matrix = try TransformMatrix(reading: &body, in: t)
        width = try body.read(in: t)
        height = try body.read(in: t)
    }

    // version+flags, times, track_ID, reserved, duration; reserved, layer, group, volume,
    // reserved, matrix, width, height
    public var bodySize: Int { 4 + (version == 1 ? 32 : 20) + 8 + 8 + TransformMatrix.byteCount + 8 }

    public func writeBody(to writer: inout ByteWriter) {
        writer.writeVersionAndFlags(version, flags)
        writer.writeTime(creationTime, version: version)
        writer.writeTime(modificationTime, version: version)
        writer.write(trackID)
        writer.writeZeros(4)
        writer.writeTime(duration, version: version)
        writer.writeZeros(8)
        writer.write(layer)
        writer.write(alternateGroup)
        writer.write(volume)
        writer.writeZeros(2)
        matrix.write(to: &writer)
        writer.write(width)
        writer.write(height)
    }
}
