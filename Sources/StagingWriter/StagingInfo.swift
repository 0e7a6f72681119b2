import MediaCore

/// The `.info` file: what is known besides the samples. Rewritten atomically whenever it
/// changes (a track or description added, the set closed).
///
/// Layout (big-endian): magic "SRSTGINF", version u16, flags u16 (bit 0 winQtCompat, bit 1
/// closed cleanly), set id u64, creation time u64, track count u32, then per track: track id
/// u32, timescale u32, sample count u64 (valid when closed), presentation end i64
/// (`Int64.min` when unknown), description count u16, each description as u32 length + body;
/// then the .mdat size u64 (valid when closed) and a CRC-32C u32 of everything before it.
public struct StagingInfo: Sendable, Equatable {
    public struct Track: Sendable, Equatable {
        public var description: TrackDescription
        public var sampleCount: UInt64
        /// Where presentation ends on the common timeline (track timescale), when the source
        /// said so (an MP4 edit list trimming encoder padding); nil means "after the last sample".
        public var presentationEnd: Int64?

        public init(description: TrackDescription, sampleCount: UInt64 = 0, presentationEnd: Int64? = nil) {
            self.description = description
            self.sampleCount = sampleCount
            self.presentationEnd = presentationEnd
        }
    }

    public var setID: UInt64
    public var creationTime: UInt64
    public var winQtCompat: Bool
    /// True once the writer closed the set: every buffer flushed and synced, counts final.
    public var closedCleanly = false
    public var tracks: [Track] = []
    public var mdatSize: UInt64 = 0

    public func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 256)
        w.write(bytes: StagingFormat.infoMagic)
        w.write(StagingFormat.version)
        w.write(UInt16((winQtCompat ? 1 : 0) | (closedCleanly ? 2 : 0)))
        w.write(setID)
        w.write(creationTime)
        w.write(UInt32(tracks.count))
        for track in tracks {
            w.write(track.description.trackID)
            w.write(track.description.timescale)
            w.write(track.sampleCount)
            w.write(track.presentationEnd ?? Int64.min)
            w.write(UInt16(track.description.sampleDescriptions.count))
            for d in track.description.sampleDescriptions {
                let body = d.stagingEncoded()
                w.write(UInt32(body.count))
                w.write(bytes: body)
            }
        }
        w.write(mdatSize)
        w.write(CRC32C.checksum(w.bytes))
        return w.bytes
    }

}

// In an extension so that the struct keeps its memberwise initializer.
extension StagingInfo {
    public init(decoding bytes: [UInt8], path: String) throws(StagingError) {
        guard bytes.count >= 12, Array(bytes[0..<8]) == StagingFormat.infoMagic else {
            throw .malformed(path: path, reason: "not a staging info file (bad magic or truncated)")
        }
        let crcStored = bytes.suffix(4).reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
        guard CRC32C.checksum(bytes.dropLast(4)) == crcStored else {
            throw .malformed(path: path, reason: "info checksum mismatch (damaged or incomplete)")
        }
        var r = ByteReader(bytes.dropLast(4))
        do {
            try r.skip(8)
            let version: UInt16 = try r.readInteger()
            guard version == StagingFormat.version else {
                throw StagingError.malformed(path: path, reason: "unsupported staging format version \(version)")
            }
            let flags: UInt16 = try r.readInteger()
            winQtCompat = flags & 1 != 0
            closedCleanly = flags & 2 != 0
            setID = try r.readInteger()
            creationTime = try r.readInteger()
            let trackCount = Int(try r.readInteger(UInt32.self))
            guard trackCount <= StagingFormat.maxTracks else { throw StagingError.tooManyTracks(trackCount) }
            var tracks: [Track] = []
            for _ in 0..<trackCount {
                let id: UInt32 = try r.readInteger()
                let timescale: UInt32 = try r.readInteger()
                let count: UInt64 = try r.readInteger()
                let end: Int64 = try r.readInteger()
                let descriptionCount = Int(try r.readInteger(UInt16.self))
                var descriptions: [SampleDescription] = []
                for _ in 0..<descriptionCount {
                    let length = Int(try r.readInteger(UInt32.self))
                    var body = try r.readSubReader(length)
                    descriptions.append(try SampleDescription(stagingDecoding: &body, path: path))
                }
                guard !descriptions.isEmpty, timescale > 0 else {
                    throw StagingError.malformed(path: path, reason: "track \(id) has no sample description or a zero timescale")
                }
                tracks.append(Track(description: TrackDescription(trackID: id, timescale: timescale, sampleDescriptions: descriptions),
                                    sampleCount: count, presentationEnd: end == Int64.min ? nil : end))
            }
            self.tracks = tracks
            mdatSize = try r.readInteger()
        } catch let e as StagingError {
            throw e
        } catch {
            throw .malformed(path: path, reason: "info: \(error)")
        }
    }
}
