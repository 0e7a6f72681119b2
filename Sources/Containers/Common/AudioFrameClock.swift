import MediaCore

/// Times the frames of an audio track in its sample rate from a coarser container clock
/// (FLV's milliseconds, a PES's 90 kHz PTS), so that each frame lasts exactly the samples its
/// bitstream holds: a frame whose container time is within one container tick of where the
/// previous frame ended continues from there; any other time (a gap, a jump back, the first
/// frame) is taken as it comes.
///
/// 1152 samples at 44.1 kHz are 26.12 ms: FLV writes 26 or 27 ms, and converting those back
/// gives durations of 1147 to 1191 samples, which ffmpeg reports as timestamps that jitter.
struct AudioFrameClock: Sendable {
    /// The track's timescale: its sample rate.
    let sampleRate: UInt32
    /// The container's ticks per second.
    let containerTimescale: UInt32
    private var end: Int64?

    init(sampleRate: UInt32, containerTimescale: UInt32) {
        self.sampleRate = sampleRate
        self.containerTimescale = containerTimescale
    }

    /// The time of a frame of `samples` samples stamped `containerTime` (nil: the frame
    /// follows the previous one, as the second frame of a PES does).
    mutating func time(of containerTime: Int64?, samples: Int) -> Int64? {
        var time = end
        if let containerTime {
            let converted = TimescaleConversion.rescale(containerTime, from: containerTimescale, to: sampleRate)
            // One container tick, in samples, rounded up: the rounding a muxer may have done.
            let tolerance = Int64((sampleRate + containerTimescale - 1) / containerTimescale)
            if end == nil || abs(converted - end!) > tolerance { time = converted }
        }
        guard let time else { return nil }
        end = time + Int64(samples)
        return time
    }
}
