import MediaCore

/// Keeps a stream's timeline monotonic across timestamp jumps: the one place where the
/// recorder's discontinuity policy lives (docs/recording.md, "Timestamp discontinuities").
/// Every reader runs its frames through one (MPEG-TS, FLV files, RTMP), after unwrapping.
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

    private var tracks: [UInt32: Track] = [:]
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
            let step = frame.dts + track.offset - last
            let back = Int64(Self.jitterTolerance * scale)
            let gap = Int64(Self.gapTolerance * scale)
            let cause: TimestampDiscontinuity.Cause? =
                step < -back ? .backward : step > gap ? .forward
                : track.expectsJump && (step < 0 || step > back) ? .indicator : nil
            if let cause {
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
}
