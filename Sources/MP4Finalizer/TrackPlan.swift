import MediaCore
import StagingWriter

/// What the size pass learned about one track: table sizes, timing and bitrate. From it the
/// moov layout is built before a byte of output is written.
struct TrackPlan {
    let track: StagingValidation.Track
    let counts: SampleTableCounts
    /// The tables themselves when they fit `TrackMeasurer`'s budget; nil: the write pass
    /// streams them from the track file.
    let tables: SampleTables?
    let lastSampleDuration: UInt32
    /// Largest number of payload bytes whose dts fall within one second.
    let peakBytesPerSecond: UInt64

    var timescale: UInt32 { track.timescale }
    var firstDTS: Int64 { track.firstDTS ?? 0 }

    /// Sum of the sample durations, in the track timescale (mdhd duration).
    var mediaDuration: UInt64 {
        UInt64(max(0, (track.lastDTS ?? 0) - firstDTS)) + UInt64(lastSampleDuration)
    }

    /// Where presentation starts on the common timeline (track timescale): the earliest pts,
    /// and never inside an Opus stream's pre-skip (the decoder's first output is priming,
    /// RFC 7845 4.2): the edit list skips it, as ffmpeg's mp4 muxer does. A source that
    /// already gave it as pre-roll (negative pts) is not skipped twice.
    var presentationStart: Int64 { max(track.minPTS ?? firstDTS, firstDTS + preSkip) }

    /// The Opus pre-skip of the first description, in the track timescale; 0 for other codecs.
    var preSkip: Int64 {
        guard let first = track.descriptions.first, first.codec == .opus,
              let header = try? OpusIdentificationHeader(opusSpecificBox: first.configuration) else { return 0 }
        return TimescaleConversion.rescale(Int64(header.preSkip), from: OpusIdentificationHeader.sampleRate, to: timescale)
    }

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

    /// The size pass over a track's kept samples, reading the track file again (used when the
    /// validation pass could not measure it on the way).
    static func measure(_ track: StagingValidation.Track, in set: StagingSet, tableBudget: Int) throws -> TrackPlan {
        let measurer = TrackMeasurer(kind: track.kind, timescale: track.timescale, tableBudget: tableBudget)
        try set.forEachKeptSample(of: track) { try measurer.add($0) }
        return try measurer.finish(track)
    }
}

/// Accumulates a track's table sizes, bitrate and (within `tableBudget` bytes) the tables
/// themselves from its kept records, in decode order: fed by the validation pass itself, so
/// the track file is read once for all of them. A class, so that the validation callback
/// updates it in place.
final class TrackMeasurer {
    // Unchecked: `add` runs once per sample of a recording and is never re-entered; the
    // runtime's dynamic exclusivity check cost a tenth of the size pass.
    @exclusivity(unchecked) private var builder: SampleTableBuilder<SampleTableCapture>
    private let timescale: Int64
    // The second of media being summed, [secondStart, secondEnd): a division per sample only
    // when a sample leaves it.
    @exclusivity(unchecked) private var secondStart: Int64 = .min
    @exclusivity(unchecked) private var secondEnd: Int64 = .min
    @exclusivity(unchecked) private var bytesThisSecond: UInt64 = 0
    @exclusivity(unchecked) private var peak: UInt64 = 0

    init(kind: MediaKind, timescale: UInt32, tableBudget: Int, expectedSamples: Int = 0) {
        // Used only for a one-sample track: an AAC frame, or a 25 fps video frame.
        let defaultDuration: UInt32 = kind == .audio ? 1024 : max(1, timescale / 25)
        builder = SampleTableBuilder(sink: SampleTableCapture(budget: tableBudget, expectedSamples: expectedSamples),
                                     defaultLastDuration: defaultDuration)
        self.timescale = Int64(timescale)
    }

    func add(_ record: StagingRecord) throws {
        try builder.add(record)
        if record.dts >= secondEnd || record.dts < secondStart {
            let s = record.dts >= 0 ? record.dts / timescale : (record.dts - timescale + 1) / timescale
            secondStart = s &* timescale
            secondEnd = secondStart &+ timescale
            bytesThisSecond = 0
        }
        bytesThisSecond += UInt64(record.size)
        peak = max(peak, bytesThisSecond)
    }

    func finish(_ track: StagingValidation.Track) throws -> TrackPlan {
        try builder.finish()
        return TrackPlan(track: track, counts: builder.sink.counts, tables: builder.sink.tables, lastSampleDuration: builder.lastSampleDuration,
                         peakBytesPerSecond: peak)
    }
}

/// The size pass of every track, fed by validation one record at a time. A class with
/// unchecked properties so that the per-record closure captures a constant: a captured
/// variable would be boxed and checked for exclusive access on every record.
final class TrackMeasurers {
    private let measurers: [UInt32: TrackMeasurer]
    // Tracks are validated one after the other: look the measurer up once per track.
    // Unmanaged, called through a guaranteed reference: `measurers` keeps it alive, and a
    // strong reference read per record cost a retain and a release each (a tenth of the pass).
    @exclusivity(unchecked) private var currentID: UInt32?
    @exclusivity(unchecked) private var current: Unmanaged<TrackMeasurer>?

    init(_ tracks: [(id: UInt32, kind: MediaKind, timescale: UInt32, units: Int)], tableBudget: Int) {
        measurers = Dictionary(tracks.map {
            ($0.id, TrackMeasurer(kind: $0.kind, timescale: $0.timescale, tableBudget: tableBudget, expectedSamples: $0.units))
        }) { first, _ in first }
    }

    func add(_ record: StagingRecord, track id: UInt32) throws {
        if currentID != id {
            currentID = id
            current = measurers[id].map { Unmanaged.passUnretained($0) }
        }
        try current?._withUnsafeGuaranteedRef { try $0.add(record) }
    }

    func measurer(of id: UInt32) -> TrackMeasurer? { measurers[id] }
}
