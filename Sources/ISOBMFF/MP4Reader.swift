import MediaCore

/// Reads an MP4 file: its box tree, its video and audio tracks, and their samples.
///
/// Only `moov` is loaded; sample payloads are read from the file on demand, so a reader over
/// a large recording stays small. The file is closed when the last copy of the reader goes.
public struct MP4Reader: Sendable {
    public let tree: BoxTree
    public let movieHeader: MovieHeaderBox
    /// Video and audio tracks with H.264, H.265 or AAC, in `moov` order.
    public let tracks: [MP4Track]
    /// Tracks left out of `tracks`: other media (text, timecode, hint) or other codecs.
    public let skippedTrackIDs: [UInt32]
    private let source: any ByteSource

    public init(path: String) throws(MP4ParseError) {
        try self.init(source: FileByteSource(path: path))
    }

    /// Reads a file held in memory (tests, fuzzing).
    public init(bytes: [UInt8]) throws(MP4ParseError) {
        try self.init(source: MemoryByteSource(bytes: bytes))
    }

    init(source: any ByteSource) throws(MP4ParseError) {
        self.source = source
        tree = try BoxTree(source: source)
        guard let moov = tree.first("moov") else { throw .missingBox("moov", parent: nil, at: 0) }
        let mvhdNode = try moov.requiredChild(MovieHeaderBox.type)
        movieHeader = try mvhdNode.decode(MovieHeaderBox.self)
        guard movieHeader.times.timescale > 0 else {
            throw .invalidValue(MovieHeaderBox.type, reason: "timescale is 0", at: mvhdNode.offset)
        }
        var tracks: [MP4Track] = []
        var skipped: [UInt32] = []
        var seen: Set<UInt32> = []
        for trak in moov.children(ofType: "trak") {
            let tkhdNode = try trak.requiredChild(TrackHeaderBox.type)
            let header = try tkhdNode.decode(TrackHeaderBox.self)
            guard seen.insert(header.trackID).inserted, header.trackID != 0 else {
                throw .invalidValue(TrackHeaderBox.type, reason: "track ID \(header.trackID) is 0 or used twice",
                                    at: tkhdNode.offset)
            }
            if let track = try MP4Track.read(trak: trak, header: header, movieTimescale: movieHeader.times.timescale,
                                             fileSize: source.size) {
                tracks.append(track)
            } else {
                skipped.append(header.trackID)
            }
        }
        self.tracks = tracks
        skippedTrackIDs = skipped
    }

    public var fileSize: Int64 { source.size }

    public func track(id: UInt32) -> MP4Track? {
        tracks.first { $0.trackID == id }
    }

    /// The bytes of one sample.
    public func readSamplePayload(_ sample: MP4Sample) throws(MP4ParseError) -> [UInt8] {
        let payload = try source.read(count: Int(sample.size), at: sample.offset)
        guard payload.count == Int(sample.size) else {
            throw .sampleOutsideFile(offset: sample.offset, size: UInt64(sample.size), fileSize: source.size)
        }
        return payload
    }

    /// Every sample of every track as a frame, in the order stored in the file.
    public func frames() throws(MP4ParseError) -> [MediaFrame] {
        var iterator = makeFrameIterator()
        var frames: [MediaFrame] = []
        while let frame = try iterator.next() { frames.append(frame) }
        return frames
    }

    /// Frames one at a time, for files too large to hold in memory.
    public func makeFrameIterator() -> MP4FrameIterator {
        MP4FrameIterator(reader: self)
    }
}
