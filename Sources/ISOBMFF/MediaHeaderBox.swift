import MediaCore

/// `mdhd`: the media timescale and duration of a track. Contained in `mdia`. (ISO/IEC 14496-12 8.4.2)
///
/// Every sample time of the track (`stts`, `ctts`, `elst` media times) is in this timescale.
public struct MediaHeaderBox: Box {
    public static let type: FourCC = "mdhd"

    /// The duration is the sum of the sample durations.
    public var times: HeaderTimes
    /// ISO 639-2/T code packed as three 5-bit letters (letter - 0x60), with the pad bit clear.
    public var packedLanguage: UInt16

    /// A header for new media; 64-bit fields only when a value needs them.
    public init(timescale: UInt32, duration: UInt64, language: String = "und",
                creationTime: UInt64 = 0, modificationTime: UInt64 = 0) {
        times = HeaderTimes(timescale: timescale, duration: duration, creationTime: creationTime,
                            modificationTime: modificationTime)
        packedLanguage = Self.pack(language)
    }

    public init(body: inout ByteReader) throws(MP4ParseError) {
        times = try HeaderTimes(reading: &body, in: Self.type)
        packedLanguage = try body.read(in: Self.type)
        try body.skip(2, in: Self.type)                     // pre_defined
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

    // times, language, pre_defined
    public var bodySize: Int { times.byteCount + 4 }

    public func writeBody(to writer: inout ByteWriter) {
        times.write(to: &writer)
        writer.write(packedLanguage)
        writer.writeZeros(2)
    }
}
