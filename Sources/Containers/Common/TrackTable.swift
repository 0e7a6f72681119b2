import MediaCore

/// The tracks a reader has announced and the sample descriptions of each, so that a reader
/// emits `.track` once, `.sampleDescription` only for a description it has not seen, and
/// frames with the right index.
struct TrackTable: Sendable {
    /// A stream that keeps switching configuration must not grow a track without bound; real
    /// streams change a handful of times (resolution switches), never hundreds.
    static let maxSampleDescriptions = 256

    private(set) var tracks: [UInt32: TrackDescription] = [:]

    /// The 1-based index of `description` in track `trackID`, adding the track or the
    /// description when new, with the event that announces it. Nil when the track already has
    /// `maxSampleDescriptions`, or when `description`'s codec differs from the track's.
    mutating func index(of description: SampleDescription, trackID: UInt32,
                        timescale: UInt32) -> (index: UInt16, event: DemuxEvent?)? {
        guard var track = tracks[trackID] else {
            let track = TrackDescription(trackID: trackID, timescale: timescale, sampleDescriptions: [description])
            tracks[trackID] = track
            return (1, .track(track))
        }
        guard track.codec == description.codec else { return nil }
        if let existing = track.sampleDescriptions.firstIndex(of: description) {
            return (UInt16(existing + 1), nil)
        }
        guard track.sampleDescriptions.count < Self.maxSampleDescriptions else { return nil }
        track.sampleDescriptions.append(description)
        tracks[trackID] = track
        let index = UInt16(track.sampleDescriptions.count)
        return (index, .sampleDescription(trackID: trackID, index: index, description))
    }
}
