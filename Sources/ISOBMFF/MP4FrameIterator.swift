import MediaCore

/// The samples of all tracks of an `MP4Reader` as `MediaFrame`s, in file-offset order: the
/// order they are stored in `mdat`, which for an interleaved file is the order they arrived
/// in. Timestamps are on the presentation timeline (`PresentationTimeline`).
public struct MP4FrameIterator: Sendable {
    struct SampleReference: Sendable {
        var track: Int32
        var sample: Int32
    }

    private let reader: MP4Reader
    private let order: [SampleReference]
    private var position = 0

    init(reader: MP4Reader) {
        self.reader = reader
        var order: [SampleReference] = []
        order.reserveCapacity(reader.tracks.reduce(0) { $0 + $1.samples.count })
        for (t, track) in reader.tracks.enumerated() {
            for s in track.samples.indices { order.append(SampleReference(track: Int32(t), sample: Int32(s))) }
        }
        let tracks = reader.tracks
        // Ties (samples sharing bytes) keep track order, so the result does not depend on the sort.
        order.sort {
            let a = tracks[Int($0.track)].samples[Int($0.sample)].offset
            let b = tracks[Int($1.track)].samples[Int($1.sample)].offset
            return a != b ? a < b : ($0.track, $0.sample) < ($1.track, $1.sample)
        }
        self.order = order
    }

    /// Samples not yet returned.
    public var remaining: Int { order.count - position }

    public mutating func next() throws(MP4ParseError) -> MediaFrame? {
        guard position < order.count else { return nil }
        let reference = order[position]
        let track = reader.tracks[Int(reference.track)]
        let sample = track.samples[Int(reference.sample)]
        let frame = track.frame(for: sample, payload: try reader.readSamplePayload(sample))
        position += 1
        return frame
    }
}
