import MediaCore

/// A file's time zero: the earliest presentation time among the frames of its first
/// `StartGate.originWindowSeconds` (audio may start a few milliseconds before the first
/// picture; that offset is kept), and the frame the file opens with.
struct FileOrigin: Equatable {
    let ticks: Int64
    let scale: UInt32
    /// The file's first frame (a keyframe when there is video), in `openingScale`.
    let opening: MediaFrame
    let openingScale: UInt32

    /// A video frame presented before the opening keyframe: a leading picture of an open GOP,
    /// which cannot be decoded without the previous GOP, so it is not written.
    func isLeadingPicture(_ frame: MediaFrame, track: TrackDescription) -> Bool {
        track.kind == .video
            && Double(frame.pts) / Double(track.timescale) < Double(opening.pts) / Double(openingScale)
    }
}
