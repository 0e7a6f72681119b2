import MediaCore

/// `elst`: which stretch of the media each part of the presentation shows. Contained in `edts`.
/// (ISO/IEC 14496-12 8.6.6)
///
/// ffmpeg writes one edit whose media time skips the AAC encoder priming or the B-frame delay,
/// sometimes after an empty edit that delays a track starting late.
public struct EditListBox: Box {
    public static let type: FourCC = "elst"

    public struct Entry: Sendable, Equatable {
        /// Length of the edit in the movie (`mvhd`) timescale.
        public var segmentDuration: UInt64
        /// Start of the edit in the media (`mdhd`) timescale; -1 for an empty edit.
        public var mediaTime: Int64
        public var mediaRateInteger: Int16
        public var mediaRateFraction: Int16

        public init(segmentDuration: UInt64, mediaTime: Int64, mediaRateInteger: Int16 = 1, mediaRateFraction: Int16 = 0) {
            self.segmentDuration = segmentDuration
            self.mediaTime = mediaTime
            self.mediaRateInteger = mediaRateInteger
            self.mediaRateFraction = mediaRateFraction
        }

        /// An empty edit presents nothing for its duration: the track starts later.
        public var isEmpty: Bool { mediaTime == -1 }
    }

    public var version: UInt8
    public var entries: [Entry]

    /// An edit list for new entries; 64-bit fields only when a value needs them.
    public init(entries: [Entry]) {
        let needs64 = entries.contains {
            $0.segmentDuration > UInt64(UInt32.max) || $0.mediaTime > Int64(Int32.max) || $0.mediaTime < Int64(Int32.min)
        }
        self.init(version: needs64 ? 1 : 0, entries: entries)
    }

    public init(version: UInt8, entries: [Entry]) {
        self.version = version
        self.entries = entries
    }

    public init(body: inout ByteReader) throws(MP4ParseError) {
        let t = Self.type
        version = try body.readVersion(in: t, supported: 0...1).version
        let count = try body.readEntryCount(entrySize: Self.entrySize(version), in: t)
        entries = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let duration = try body.readTime(version: version, in: t)
            let mediaTime = version == 1 ? try body.read(Int64.self, in: t) : Int64(try body.read(Int32.self, in: t))
            entries.append(Entry(segmentDuration: duration, mediaTime: mediaTime,
                                 mediaRateInteger: try body.read(in: t), mediaRateFraction: try body.read(in: t)))
        }
    }

    static func entrySize(_ version: UInt8) -> Int { version == 1 ? 20 : 12 }

    public var bodySize: Int { 4 + 4 + Self.entrySize(version) * entries.count }

    public func writeBody(to writer: inout ByteWriter) {
        writer.writeVersionAndFlags(version, 0)
        writer.write(UInt32(entries.count))
        for entry in entries {
            writer.writeTime(entry.segmentDuration, version: version)
            if version == 1 {
                writer.write(entry.mediaTime)
            } else {
                precondition(Int64(Int32.min)...Int64(Int32.max) ~= entry.mediaTime, "elst v0 media time holds 32 bits")
                writer.write(Int32(entry.mediaTime))
            }
            writer.write(entry.mediaRateInteger)
            writer.write(entry.mediaRateFraction)
        }
    }
}
