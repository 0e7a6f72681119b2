import MediaCore

/// The tracks of one file: each starts with the description its stream track uses when the
/// file opens, as the file's number 1, and gains the descriptions the stream adds while the
/// file is open. Frames carry the stream's numbering; `localIndex` gives the file's.
struct ChunkTracks {
    private(set) var tracks: [TrackDescription] = []
    /// Stream description index -> this file's index, per track.
    private var descriptionMap: [UInt32: [UInt16: UInt16]] = [:]

    /// Every recorded track of the stream as it is now.
    init(current stream: RecordingTracks) {
        for id in stream.order {
            guard let track = stream[id] else { continue }
            add(track)
        }
    }

    /// Adds a track with its latest description (a track announced while the file's origin
    /// is not decided yet is part of the file).
    mutating func add(_ track: TrackDescription) {
        let current = track.sampleDescriptions.count
        tracks.append(TrackDescription(trackID: track.trackID, timescale: track.timescale,
                                       sampleDescriptions: [track.sampleDescriptions[current - 1]]))
        descriptionMap[track.trackID] = [UInt16(current): 1]
    }

    func contains(_ trackID: UInt32) -> Bool { descriptionMap[trackID] != nil }

    /// Before the file's writer exists: the description joins the file's track list; returns
    /// the file's number for it (nil: not a track of this file).
    mutating func appendDescription(_ description: SampleDescription, toTrack trackID: UInt32) -> UInt16? {
        guard let position = tracks.firstIndex(where: { $0.trackID == trackID }) else { return nil }
        tracks[position].sampleDescriptions.append(description)
        return UInt16(tracks[position].sampleDescriptions.count)
    }

    /// The stream's description `streamIndex` of `trackID` is the file's `local`.
    mutating func map(_ streamIndex: UInt16, to local: UInt16, track trackID: UInt32) {
        descriptionMap[trackID]?[streamIndex] = local
    }

    enum Lookup: Equatable {
        case notInFile
        case unknownDescription
        case local(UInt16)
    }

    /// The file's description number for a frame of `trackID` that uses the stream's `streamIndex`.
    func localIndex(track trackID: UInt32, streamIndex: UInt16) -> Lookup {
        guard let map = descriptionMap[trackID] else { return .notInFile }
        return map[streamIndex].map(Lookup.local) ?? .unknownDescription
    }
}
