import Containers
import MediaCore

/// The tracks one recording knows: every track of the stream it records, each with every
/// sample description seen so far, in the order they were announced, and the tracks it leaves
/// out because its output type cannot hold them (TrackSelection).
struct RecordingTracks {
    let type: RecordParameters.OutputType
    private(set) var byID: [UInt32: TrackDescription] = [:]
    /// Announcement order: a new file lists its tracks in it.
    private(set) var order: [UInt32] = []
    private(set) var refused: Set<UInt32> = []

    init(type: RecordParameters.OutputType) { self.type = type }

    enum Announcement: Equatable {
        /// Recorded from now on (new, or announced again with its descriptions).
        case recorded
        /// Left out, said once: the output type cannot hold it beside the tracks kept.
        case refused(UnrecordableTrack)
        /// Refused before: still left out, nothing to say.
        case stillRefused
    }

    mutating func announce(_ track: TrackDescription) -> Announcement {
        guard !refused.contains(track.trackID) else { return .stillRefused }
        if byID[track.trackID] == nil {
            let kept = order.compactMap { byID[$0] }
            if let reason = TrackSelection.refusal(of: track, type: type, kept: kept) {
                refused.insert(track.trackID)
                return .refused(UnrecordableTrack(name: "track \(track.trackID) (\(track.codec))", reason: reason))
            }
            order.append(track.trackID)
        }
        byID[track.trackID] = track
        return .recorded
    }

    /// Records description number `index` (1-based) of a known track; false for a track this
    /// recording does not record. A gap in the numbering is filled with the same description,
    /// so that frames keep pointing at the number the stream gave them.
    mutating func addDescription(_ description: SampleDescription, index: UInt16, toTrack trackID: UInt32) -> Bool {
        guard var track = byID[trackID] else { return false }
        while track.sampleDescriptions.count < Int(index) - 1 { track.sampleDescriptions.append(description) }
        if track.sampleDescriptions.count < Int(index) { track.sampleDescriptions.append(description) }
        byID[trackID] = track
        return true
    }

    subscript(trackID: UInt32) -> TrackDescription? { byID[trackID] }

    func isRefused(_ trackID: UInt32) -> Bool { refused.contains(trackID) }

    var hasVideo: Bool { byID.values.contains { $0.kind == .video } }
    var hasAudio: Bool { byID.values.contains { $0.kind == .audio } }

    /// Seconds of `ticks` in the timescale of track `trackID` (1 when unknown).
    func seconds(_ ticks: Int64, track trackID: UInt32) -> Double {
        Double(ticks) / Double(byID[trackID]?.timescale ?? 1)
    }
}
