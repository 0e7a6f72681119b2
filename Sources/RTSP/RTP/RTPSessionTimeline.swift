import Containers
import MediaCore

/// The one place an RTSP session's times are made (issue 12: "timestamps unwrapped and
/// rebased in one place"): each track's 32-bit RTP clock unwrapped with signed deltas (a wrap
/// reads as a small step forward, not 13 hours); each track's first frame placed on the
/// stream's timeline by the arrival of its first packet after the stream's first (RTP clocks
/// of different tracks start at random values, RFC 3550 5.1), which keeps the tracks in sync;
/// a jump of a camera's clock closed by the recorder's timestamp policy, on presentation times
/// (`TimelineNormalizer.placePresentation`) before decode times are derived; and, last, the
/// decode times every ingest gets (`TimelineNormalizer.apply`). One `TimelineNormalizer` does
/// both, per track inside it, as it does for MPEG-TS and FLV.
struct RTPSessionTimeline {
    private var unwrappers: [UInt32: TimestampUnwrapper] = [:]
    private var normalizer = TimelineNormalizer()
    /// Seconds (any monotonic clock) at which the stream's first packet arrived.
    private var firstArrival: Double?
    /// Each track's last frame: its unwrapped RTP time and its time on the stream's timeline
    /// (ticks), where a sender report's RTP time is placed from.
    private var lastPlaced: [UInt32: (rtp: Int64, time: Int64)] = [:]

    /// A packet of the stream arrived at `arrival` seconds.
    mutating func noteArrival(_ arrival: Double) {
        if firstArrival == nil { firstArrival = arrival }
    }

    /// The time on the stream's timeline of a frame of `trackID` stamped `rtpTimestamp`, and
    /// the discontinuity it starts. `arrival` places the track's first frame (nil: at 0, for
    /// frames flushed at the end).
    mutating func place(_ rtpTimestamp: UInt32, trackID: UInt32, timescale: UInt32,
                        arrival: Double?) -> (time: Int64, jump: TimestampDiscontinuity?) {
        let rtp = unwrappers[trackID, default: TimestampUnwrapper(bits: 32)].unwrap(UInt64(rtpTimestamp))
        let first = firstArrival
        let placed = normalizer.placePresentation(rtp, trackID: trackID, timescale: timescale) {
            guard let arrival, let first else { return 0 }
            return Int64(((arrival - first) * Double(timescale)).rounded())
        }
        lastPlaced[trackID] = (rtp, placed.time)
        return placed
    }

    /// Where an RTP time of `trackID` (a sender report's) falls on the stream's timeline; nil
    /// before the track's first frame. Signed 32-bit distance from the last frame's, as for wraps.
    func timelineTicks(ofRTP rtpTimestamp: UInt32, trackID: UInt32) -> Int64? {
        guard let last = lastPlaced[trackID] else { return nil }
        let delta = Int64(Int32(bitPattern: rtpTimestamp &- UInt32(truncatingIfNeeded: last.rtp)))
        return last.time + delta
    }

    /// The frames among `events`, with decoding times made (jitter put a millisecond after):
    /// every track's decode times increase whatever arrives.
    mutating func apply(_ events: inout [DemuxEvent]) {
        normalizer.apply(&events)
    }
}
