import MediaCore

/// `mdhd`: the media timescale and duration of a track. Contained in `mdia`. (ISO/IEC 14496-12 8.4.2)
///
/// Every sample time of the track (`stts`, `ctts`, `elst` media times) is in this timescale.
public struct MediaHeaderBox: Box {
    public static let type: FourCC = "mdhd"

    public var version: UInt8
    public var creationTime: UInt64
    public var modificationTime: UInt64
    public var timescale: UInt32
    /// Sum of the sample durations, in `timescale` units.
    public var duration: UInt64
    /// ISO 639-2/T code packed as three 5-bit letters (letter - 0x60), with the pad bit clear.
    public var packedLanguage: UInt16

    /// A header for new media; 64-bit fields only when a value needs them.
    public init(timescale: UInt32, duration: UInt64, language: String = "und",
                creationTime: UInt64 = 0, modificationTime: UInt64 = 0) {
        version = max(creationTime, modificationTime, duration) > UInt64(UInt32.max) ? 1 : 0
        self.creationTime = creationTime
        self.modificationTime = modificationTime
        self.timescale = timescale
        self.duration = duration
        packedLanguage = Self.pack(language)
    }

    public init(body: inout ByteReader) throws(MP4ParseError) {
        let t = Self.type
        version = try body.readVersion(in: t, supported: 0...1).version
        creationTime = try body.readTime(version: version, in: t)
        modificationTime = try body.readTime(version: version, in: t)
        timescale = try body.read(in: t)
        duration = try body.readTime(version: version, in: t)
        packedLanguage = try body.read(in: t)
        try body.skip(2, in: t)                       // pre_defined
    }

    /// The three-letter language code, e.g. "und".
    public var language: String {
        let letters = [10, 5, 0].map { UInt8(((packedLanguage >> $0) & 0x1F) + 0x60) }
        return String(decoding: letters, as: UTF8.self)
    }

    static func pack(_ language: String) -> UInt16 {
        let letters = Array(language.utf8.prefix(3))
        guard letters.count == 3 else { return pack("und") }
        return letters.reduce(0) { ($0 << 5) | UInt16(($1 &- 0x60) & 0x1F) }
    }

    // version+flags, times, timescale, language, pre_defined
    public var bodySize: Int { 4 + (version == 1 ? 28 : 16) + 4 }

    public func writeBody(to writer: inout ByteWriter) {
        writer.writeVersionAndFlags(version, 0)
        writer.writeTime(creationTime, version: version)
        writer.writeTime(modificationTime, version: version)
        writer.write(timescale)
        writer.writeTime(duration, version: version)
        writer.write(packedLanguage)
        writer.writeZeros(2)
    }
}
