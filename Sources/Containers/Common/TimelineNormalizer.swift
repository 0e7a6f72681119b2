import MediaCore

/// Keeps a stream's timeline monotonic across timestamp jumps: the one place where the
/// recorder's discontinuity policy lives (docs/recording.md, "Timestamp discontinuities").
/// Every reader runs its frames through one (MPEG-TS, FLV files, RTMP), after unwrapping;
/// RTSP runs its presentation times through one (`placePresentation`), before it derives
/// decoding times from the picture order.
///
/// Each frame's decoding time, moved by its track's current offset, is compared with the
/// track's last one:
/// - back by at most `jitterTolerance`: jitter. The frame is put a millisecond after the last
///   (its composition offset kept), so decoding times never go back.
/// - forward by at most `gapTolerance`: frames were lost; the gap stays (A/V sync stays right).
/// - further back or forward, or, after an MPEG-TS discontinuity_indicator, any step back or
///   past the jitter tolerance: a discontinuity. The track takes the offset that puts the
///   frame one frame step after its last one, and `.discontinuity` goes out before the frame.
///   Each track closes its own jump: an encoder restart moves every track, and tracks that
///   ended together go on together (within a frame); a jump on one track moves that track
///   only. Video stays on its frame grid, which players (and ffmpeg's frame-rate guess) need.
/// A track first seen after a discontinuity starts with the latest offset chosen.
public struct TimelineNormalizer: Sendable {
    /// Backward steps up to this are jitter (encoders stamping frames from a wall clock,
    /// interleaving of tracks muxed by a coarse clock); beyond it the source restarted.
    public static let jitterTolerance = 0.5
    /// Forward gaps up to this are lost frames, kept as a gap; beyond it the source's clock
    /// jumped (a restart with another base, hours of silence) and the gap is closed, so that
    /// a file's duration is the media it holds.
    public static let gapTolerance = 5.0

    private struct Track {
        var timescale: UInt32
        /// Added to the source's times, in this track's timescale.
        var offset: Int64
        /// The last decoding time written out, and the last positive step (a frame's duration).
        var lastDTS: Int64?
        var lastStep: Int64 = 0
        /// An MPEG-TS discontinuity_indicator came before this track's next frame.
        var expectsJump = false
    }

    /// A track placed by presentation time (`placePresentation`).
    private struct PresentationTrack {
        /// Added to the source's times, in its timescale.
        var offset: Int64
        /// The last time placed, the latest (B-frames come back below it), and the smallest
        /// forward step between frames (a frame's duration).
        var last: Int64
        var latest: Int64
        var minStep: Int64?
    }

    private var tracks: [UInt32: Track] = [:]
    private var presentationTracks: [UInt32: PresentationTrack] = [:]
    /// The offset chosen at the latest discontinuity, in the timescale it was chosen in.
    private var latestOffset: (ticks: Int64, timescale: UInt32)?

    public init() {}

    /// The source marked a time-base discontinuity before `trackID`'s next frame.
    public mutating func expectDiscontinuity(trackID: UInt32) {
        tracks[trackID]?.expectsJump = true
    }

    /// Normalizes the frames among `events` in place, inserting a `.discontinuity` before
    /// each frame that starts one.
    public mutating func apply(_ events: inout [DemuxEvent]) {
        var output: [DemuxEvent] = []
        output.reserveCapacity(events.count)
        for event in events {
            switch event {
            case .track(let track):
                learn(track)
                output.append(event)
            case .frame(var frame):
                if let jump = normalize(&frame) { output.append(.discontinuity(jump)) }
                output.append(.frame(frame))
            default:
                output.append(event)
            }
        }
        events = output
    }

    private mutating func learn(_ track: TrackDescription) {
        guard tracks[track.trackID] == nil else { return }
        let offset = latestOffset.map { TimescaleConversion.rescale($0.ticks, from: $0.timescale, to: track.timescale) } ?? 0
        tracks[track.trackID] = Track(timescale: track.timescale, offset: offset)
    }

    /// Moves `frame` onto the monotonic timeline; the discontinuity it starts, if any.
    public mutating func normalize(_ frame: inout MediaFrame) -> TimestampDiscontinuity? {
        guard var track = tracks[frame.trackID], track.timescale > 0 else { return nil }
        defer { tracks[frame.trackID] = track }
        let scale = Double(track.timescale)
        var jump: TimestampDiscontinuity?
        if let last = track.lastDTS {
            if let cause = Self.jumpCause(step: frame.dts + track.offset - last, timescale: track.timescale,
                                          expectsJump: track.expectsJump) {
                let offset = newOffset(for: frame, track: track)
                jump = TimestampDiscontinuity(trackID: frame.trackID, cause: cause,
                                              expectedSeconds: Double(last + track.lastStep - track.offset) / scale,
                                              foundSeconds: Double(frame.dts) / scale,
                                              offsetSeconds: Double(offset) / scale)
                track.offset = offset
            }
        }
        track.expectsJump = false
        frame.dts += track.offset
        frame.pts += track.offset
        if let last = track.lastDTS {
            // Jitter: at least a millisecond after the last (the finest step FLV keeps, so that
            // no output format makes two frames of a track share a time).
            let minimumStep = max(1, Int64(track.timescale / 1000))
            if frame.dts < last + minimumStep {
                let shift = last + minimumStep - frame.dts
                frame.dts += shift
                frame.pts += shift
            }
            if frame.dts > last { track.lastStep = frame.dts - last }
        }
        track.lastDTS = frame.dts
        return jump
    }

    /// The offset for a track that jumped: its next frame one step after its last.
    private mutating func newOffset(for frame: MediaFrame, track: Track) -> Int64 {
        let offset = (track.lastDTS ?? frame.dts) + max(track.lastStep, 1) - frame.dts
        latestOffset = (offset, track.timescale)
        return offset
    }

    /// The jump a step of `step` ticks from the reference time is, if any: beyond the
    /// tolerances, or after a discontinuity_indicator any step back or past the jitter one.
    private static func jumpCause(step: Int64, timescale: UInt32, expectsJump: Bool = false) -> TimestampDiscontinuity.Cause? {
        let back = Int64(jitterTolerance * Double(timescale))
        let gap = Int64(gapTolerance * Double(timescale))
        if step < -back { return .backward }
        if step > gap { return .forward }
        return expectsJump && (step < 0 || step > back) ? .indicator : nil
    }

    /// Places a frame by its presentation time, for sources that derive decoding times after
    /// this (RTP video: from the picture order). B-frames step back a few frames in
    /// presentation order, so the reference is the track's latest time so far, not its last:
    /// forward beyond `gapTolerance` or back beyond `jitterTolerance` from it is a
    /// discontinuity, and the frame goes one frame step (the smallest forward step seen) after
    /// the latest (encoders restart at a keyframe, shown after everything before it); the
    /// track keeps that offset. Within the tolerances times are kept as they are: the decoding
    /// times derived later keep the frames in order. A track's first frame goes at `first()`.
    /// Returns the time on the stream's timeline, and the discontinuity the frame starts.
    public mutating func placePresentation(_ time: Int64, trackID: UInt32, timescale: UInt32,
                                           first: () -> Int64) -> (time: Int64, jump: TimestampDiscontinuity?) {
        guard var track = presentationTracks[trackID] else {
            let start = first()
            presentationTracks[trackID] = PresentationTrack(offset: start - time, last: start, latest: start)
            return (start, nil)
        }
        defer { presentationTracks[trackID] = track }
        var placed = time + track.offset
        var jump: TimestampDiscontinuity?
        if let cause = Self.jumpCause(step: placed - track.latest, timescale: timescale) {
            let continued = track.latest + (track.minStep ?? 1)
            let scale = Double(timescale)
            jump = TimestampDiscontinuity(trackID: trackID, cause: cause,
                                          expectedSeconds: Double(continued - track.offset) / scale,
                                          foundSeconds: Double(time) / scale,
                                          offsetSeconds: Double(continued - time) / scale)
            track.offset = continued - time
            placed = continued
        }
        if placed > track.last { track.minStep = min(track.minStep ?? (placed - track.last), placed - track.last) }
        track.latest = max(track.latest, placed)
        track.last = placed
        return (placed, jump)
    }
}
