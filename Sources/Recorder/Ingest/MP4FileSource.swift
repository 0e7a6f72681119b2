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
    /// `loops` > 1 repeats the file end to end (each track shifted by its own duration), to
    /// make long recordings from a short clip for benchmarks.
    @discardableResult
    public func writeStagingSet(output: String, loops: Int = 1, options: StagingWriter.Options = StagingWriter.Options()) throws -> Int {
        let writer = try StagingWriter(output: output, options: options)
        var loopDuration: [UInt32: Int64] = [:]
        for track in reader.tracks {
            try writer.addTrack(track.trackDescription)
            loopDuration[track.trackID] = track.samples.reduce(0) { $0 + Int64($1.duration) }
            if loops == 1, let end = track.presentationEnd { try writer.setPresentationEnd(end, forTrack: track.trackID) }
        }
        var count = 0
        for loop in 0..<max(1, loops) {
            var iterator = reader.makeFrameIterator()
            while var frame = try iterator.next() {
                let shift = Int64(loop) * (loopDuration[frame.trackID] ?? 0)
                frame.dts += shift
                frame.pts += shift
                try writer.append(frame)
                count += 1
            }
        }
        try writer.close()
        return count
    }
}
