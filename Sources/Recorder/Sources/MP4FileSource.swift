import ISOBMFF
import MediaCore
import StagingWriter

/// Reads an MP4 file as a stream: its tracks and its samples as `MediaFrame`s, in the order
/// they are stored (the interleaving a live source would deliver), on the presentation
/// timeline ffmpeg uses (pre-roll negative).
public struct MP4FileSource: Sendable {
    public let reader: MP4Reader

    public init(path: String) throws(MP4ParseError) {
        reader = try MP4Reader(path: path)
    }

    public var tracks: [TrackDescription] { reader.tracks.map(\.trackDescription) }

    /// Writes every sample of the file into a new staging set at `output` and closes it,
    /// keeping each track's presentation end (an edit list trimming encoder padding).
    @discardableResult
    public func writeStagingSet(output: String, options: StagingWriter.Options = StagingWriter.Options()) throws -> Int {
        let writer = try StagingWriter(output: output, options: options)
        for track in reader.tracks {
            try writer.addTrack(track.trackDescription)
            if let end = track.presentationEnd { try writer.setPresentationEnd(end, forTrack: track.trackID) }
        }
        var iterator = reader.makeFrameIterator()
        var count = 0
        while let frame = try iterator.next() {
            try writer.append(frame)
            count += 1
        }
        try writer.close()
        return count
    }
}
