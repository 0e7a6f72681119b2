import MediaCore

/// Moves a file's frames so that the file starts at zero, the offset between tracks kept:
/// each frame is shifted by the file's origin (rescaled to its track's timescale).
struct TimestampRebaser {
    let origin: FileOrigin

    /// The frame in the file's time, or nil when it is not written: presented before the file's
    /// start, a leading picture, or decoded before the track's last written frame
    /// (`lastDTS`, file time) - a file's decode times never go back.
    func rebase(_ frame: MediaFrame, track: TrackDescription, lastDTS: Int64?) -> MediaFrame? {
        let shift = TimescaleConversion.rescale(origin.ticks, from: origin.scale, to: track.timescale)
        var rebased = frame
        rebased.dts -= shift
        rebased.pts -= shift
        if rebased.pts < 0 || origin.isLeadingPicture(frame, track: track) || (lastDTS.map { rebased.dts < $0 } ?? false) {
            return nil
        }
        return rebased
    }
}
