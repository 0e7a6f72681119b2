import MediaCore
import StagingWriter

/// What the size pass learned about one track: table sizes, timing and bitrate. From it the
/// moov layout is built before a byte of output is written.
struct TrackPlan {
    let track: StagingValidation.Track
    let counts: SampleTableCounts
    let lastSampleDuration: UInt32
    /// Largest number of payload bytes whose dts fall within one second.
    let peakBytesPerSecond: UInt64

    var timescale: UInt32 { track.timescale }
    var firstDTS: Int64 { track.firstDTS ?? 0 }

    /// Sum of the sample durations, in the track timescale (mdhd duration).
    var mediaDuration: UInt64 {
        UInt64(max(0, (track.lastDTS ?? 0) - firstDTS)) + UInt64(lastSampleDuration)
    }

    /// Where presentation starts on the common timeline (track timescale).
    var presentationStart: Int64 { track.minPTS ?? firstDTS }

    /// Where presentation ends: the source's own end when it gave one, else one sample
    /// duration after the last presented sample. The source's end trims encoder padding, so
    /// it never lies past the samples kept; when recovery dropped the tail it would (an edit
    /// past the media claims a duration that is not there), and the samples' own end rules.
    var presentationEnd: Int64 {
        let samplesEnd = (track.maxPTS ?? firstDTS) + Int64(lastSampleDuration)
        if let end = track.presentationEnd, end > presentationStart { return min(end, samplesEnd) }
        return samplesEnd
    }

    var averageBitrate: UInt32 {
        let seconds = Double(mediaDuration) / Double(timescale)
        guard seconds > 0 else { return 0 }
        return UInt32(clamping: Int(Double(counts.totalBytes) * 8 / seconds))
    }

    var maxBitrate: UInt32 { max(averageBitrate, UInt32(clamping: peakBytesPerSecond * 8)) }

    /// The size pass over a track's kept samples.
    static func measure(_ track: StagingValidation.Track, in set: StagingSet) throws -> TrackPlan {
        let defaultDuration: UInt32 = track.kind == .audio ? 1024 : max(1, track.timescale / 25)
        var builder = SampleTableBuilder(sink: SampleTableCounts(), defaultLastDuration: defaultDuration)
        var second: Int64 = .min
        var bytesThisSecond: UInt64 = 0
        var peak: UInt64 = 0
        let timescale = Int64(track.timescale)
        try set.forEachKeptSample(of: track) { record in
            try builder.add(record)
            let s = record.dts >= 0 ? record.dts / timescale : (record.dts - timescale + 1) / timescale
            if s != second {
                second = s
                bytesThisSecond = 0
            }
            bytesThisSecond += UInt64(record.size)
            peak = max(peak, bytesThisSecond)
        }
        try builder.finish()
        return TrackPlan(track: track, counts: builder.sink, lastSampleDuration: builder.lastSampleDuration,
                         peakBytesPerSecond: peak)
    }
}
