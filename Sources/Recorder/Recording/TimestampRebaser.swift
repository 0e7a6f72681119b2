import MediaCore

/// Moves a file's frames so that the file starts at zero, the offset between tracks kept:
/// each frame is shifted by the file's origin (rescaled to its track's timescale).
///
/// An MP4 file is written before its origin is decided (`init(aheadOfOriginFrom:)`), so that
/// a kill -9 in its first moments does not lose them: its frames are shifted by a whole
/// number of seconds before the opening instead, and mp4writer starts the movie where its
/// earliest track starts presenting (MovieLayout.trackTiming), which is the origin. Whole
/// seconds convert exactly into every timescale, so the movie is the one the origin gives.
struct TimestampRebaser {
    /// How far before the opening frame, at least, a file written ahead of its origin has its
    /// zero: audio in the origin window is presented at most this long before the opening
    /// keyframe (an encoder's audio lead is milliseconds; MPEG-TS muxers interleave within a
    /// second). A frame presented earlier still is not written.
    static let aheadOfOriginLeadSeconds: Int64 = 10

    /// nil while the file is written ahead of its origin (every frame then is in the origin
    /// window, so none is presented before the origin).
    private(set) var origin: FileOrigin?
    /// The opening frame: video presented before it is a leading picture.
    private let opening: FileOrigin
    /// What is subtracted from the timestamps written to the file, in `written.scale` ticks.
    private let written: (ticks: Int64, scale: UInt32)

    init(origin: FileOrigin) {
        self.origin = origin
        opening = origin
        written = (origin.ticks, origin.scale)
    }

    /// A file written from its opening frame on, before its origin is decided (`decide`).
    init(aheadOfOriginFrom opening: MediaFrame, scale: UInt32) {
        origin = nil
        self.opening = FileOrigin(ticks: opening.pts, scale: scale, opening: opening, openingScale: scale)
        let openingSeconds = opening.pts >= 0 ? opening.pts / Int64(scale) : (opening.pts + 1) / Int64(scale) - 1
        written = (openingSeconds - Self.aheadOfOriginLeadSeconds, 1)
    }

    /// The origin is decided: from now on frames presented before it are not written.
    mutating func decide(_ origin: FileOrigin) {
        self.origin = origin
    }

    /// The frame as written to the file, or nil when it is not written: presented before the
    /// file's start, a leading picture, or decoded before the track's last written frame
    /// (`lastDTS`, as written) - a file's decode times never go back.
    func rebase(_ frame: MediaFrame, track: TrackDescription, lastDTS: Int64?) -> MediaFrame? {
        let shift = writtenShift(track)
        var rebased = frame
        rebased.dts -= shift
        rebased.pts -= shift
        let beforeOrigin = origin.map { frame.pts < Self.shift(($0.ticks, $0.scale), track) } ?? false
        if rebased.pts < 0 || beforeOrigin || opening.isLeadingPicture(frame, track: track)
            || (lastDTS.map { rebased.dts < $0 } ?? false) {
            return nil
        }
        return rebased
    }

    /// A written timestamp of `track` in the file's time (zero at the origin, once decided).
    func fileTime(_ written: Int64, track: TrackDescription) -> Int64 {
        guard let origin else { return written }
        return written + writtenShift(track) - Self.shift((origin.ticks, origin.scale), track)
    }

    private func writtenShift(_ track: TrackDescription) -> Int64 { Self.shift(written, track) }

    private static func shift(_ time: (ticks: Int64, scale: UInt32), _ track: TrackDescription) -> Int64 {
        TimescaleConversion.rescale(time.ticks, from: time.scale, to: track.timescale)
    }
}
