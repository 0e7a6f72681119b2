import ISOBMFF
import MediaCore

/// Joins consecutive MP4 chunks of one recording into one fast-start MP4 by stream copy,
/// cut to a time range, planned from the chunks' sample tables alone.
///
/// ```
/// export:  ftyp | moov (computed here)  | mdat header | samples of chunk 1 | chunk 2 | ...
///                    in memory                          ranges of the chunk files
/// ```
///
/// Timing: chunk i's presentation starts at anchor(i) on the export's timeline, where
/// anchor(0) = 0 and anchor(i+1) = anchor(i) + the presentation length of chunk i; each
/// sample keeps its place within its chunk (its edit list applied), so audio and video stay
/// in sync per chunk and frames follow each other without a hole. Chunks further apart in
/// wall-clock time than `maxJoinGap` are refused (`ExportError.gap`), never silently joined.
///
/// Cutting: video starts at the keyframe at or before the start (nothing before a keyframe
/// can be decoded), audio at the frame holding it; an edit list (8.6.6) then starts the
/// presentation exactly at the start and ends it at the end, so players show the range
/// asked while a decoder still gets its keyframe.
public enum ChunkConcatenation {
    /// Consecutive chunks of a recording follow each other within a frame or two (a chunk
    /// ends where the next keyframe starts the next one); a second between them is a lost
    /// connection or a stopped recording.
    public static let maxJoinGap = 1.0
    /// The movie (`mvhd`) timescale: milliseconds, as the finalizer writes.
    static let movieTimescale: UInt32 = 1000
    /// Seconds between the MP4 epoch (1904) and the Unix epoch.
    static let mp4EpochOffset: UInt64 = 2_082_844_800

    /// The samples of `[start, end)` of `sources` on one timeline, before any byte is placed.
    static func plan(_ sources: [ExportSource], start: Double?, end: Double?) throws(ExportError) -> ExportPlan {
        if let start, let end, !(start < end) { throw .badRange("start \(start) is not before end \(end)") }
        if let start, !start.isFinite { throw .badRange("start is not a number") }
        if let end, !end.isFinite { throw .badRange("end is not a number") }
        var chunks: [(source: ExportSource, reader: MP4Reader, length: Double)] = []
        for source in sources {
            if let end, source.startTime >= end { break }
            let reader: MP4Reader
            do { reader = try MP4Reader(path: source.path) } catch { throw .unreadable(path: source.path, reason: "\(error)") }
            let length = presentationLength(reader)
            if let start, source.startTime + length <= start { continue }
            if let previous = chunks.last {
                let previousEnd = previous.source.startTime + previous.length
                if source.startTime - previousEnd > maxJoinGap {
                    throw .gap(after: previous.source.path, from: previousEnd, to: source.startTime)
                }
            }
            chunks.append((source, reader, length))
        }
        guard let firstChunk = chunks.first, let lastChunk = chunks.last else {
            throw .emptyRange(start: start ?? sources.first?.startTime ?? 0, end: end ?? sources.last?.startTime ?? 0)
        }
        // The export's timeline: 0 is the first chunk's presentation start.
        var anchors: [Double] = []
        var position = 0.0
        for chunk in chunks {
            anchors.append(position)
            position += chunk.length
        }
        let lastAnchor = anchors[anchors.count - 1]
        let from = max(0, (start ?? firstChunk.source.startTime) - firstChunk.source.startTime)
        let to = min(lastAnchor + lastChunk.length, lastAnchor + ((end ?? .infinity) - lastChunk.source.startTime))
        guard from < to else { throw .emptyRange(start: start ?? firstChunk.source.startTime, end: end ?? lastChunk.source.startTime) }

        var tracks: [ExportTrack] = []
        for (index, chunk) in chunks.enumerated() {
            for kind in [MediaKind.video, .audio] {
                guard let track = chunk.reader.tracks.first(where: { $0.kind == kind }) else { continue }
                if !tracks.contains(where: { $0.kind == kind }) { tracks.append(ExportTrack(kind: kind, timescale: track.timescale)) }
                let t = tracks.firstIndex { $0.kind == kind }!
                let selected = select(track, from: index == 0 ? from : nil, to: index == chunks.count - 1 ? to - anchors[index] : nil)
                var descriptionMap: [UInt32] = []
                for entry in track.sampleEntries { descriptionMap.append(tracks[t].descriptionIndex(of: entry)) }
                let scale = tracks[t].timescale
                let anchor = Int64((anchors[index] * Double(scale)).rounded())
                func rescaled(_ value: Int64) -> Int64 { TimescaleConversion.rescale(value, from: track.timescale, to: scale) }
                let samples = track.samples[selected].map { s in
                    ExportTrack.Sample(dts: anchor + rescaled(s.dts + track.timeline.offset),
                                       compositionOffset: Int32(clamping: rescaled(Int64(s.compositionOffset))),
                                       duration: rescaled(Int64(s.duration)), size: s.size, isSync: s.isSync,
                                       descriptionIndex: descriptionMap[Int(s.sampleDescriptionIndex) - 1],
                                       source: index, sourceOffset: s.offset)
                }
                tracks[t].append(samples)
            }
        }
        tracks.removeAll { $0.samples.isEmpty }
        guard !tracks.isEmpty else { throw .emptyRange(start: firstChunk.source.startTime + from, end: firstChunk.source.startTime + to) }
        return ExportPlan(tracks: tracks, sources: chunks.map(\.source), presentation: from..<to)
    }

    /// Plans the export of `[start, end)` (Unix seconds; nil: from the first chunk's start,
    /// to the last chunk's end) from `sources` (a recording's chunks, in time order; those
    /// outside the range are left out).
    public static func export(_ sources: [ExportSource], start: Double? = nil, end: Double? = nil) throws(ExportError) -> ExportedMovie {
        let plan = try plan(sources, start: start, end: end)
        var tracks = plan.tracks
        let from = plan.presentation.lowerBound
        let to = plan.presentation.upperBound
        let origin = plan.sources[0].startTime
        let paths = plan.sources.map(\.path)
        let payload = layOutPayload(&tracks, paths: paths)
        // The first sample of each track is a keyframe (or an audio frame): presented first.
        let earliest = tracks.map { Double($0.samples[0].dts + Int64($0.samples[0].compositionOffset)) / Double($0.timescale) }.min() ?? from
        let file = ExportMovieWriter.file(tracks: tracks, presentation: from..<to, payload: payload,
                                          creationTime: UInt64(max(0, origin + from)))
        return ExportedMovie(file: file, startTime: origin + from, endTime: origin + to,
                             sources: plan.sources, preRoll: max(0, from - earliest))
    }

    /// Seconds from a chunk's presentation start to the end of its last presented sample.
    static func presentationLength(_ reader: MP4Reader) -> Double {
        reader.tracks.map { track in
            let end = track.samples.map { track.timeline.pts(of: $0) + Int64($0.duration) }.max() ?? 0
            let editEnd = track.presentationEnd.map { min($0, end) } ?? end
            return Double(editEnd) / Double(track.timescale)
        }.max() ?? 0
    }

    /// The samples (decoding order) of `track` that present `[from, to)` (seconds on the
    /// chunk's presentation timeline; nil: open): from the keyframe at or before `from` (for
    /// audio, every frame is one) to the last sample presented before `to`.
    static func select(_ track: MP4Track, from: Double?, to: Double?) -> Range<Int> {
        let samples = track.samples
        let scale = Double(track.timescale)
        var first = 0
        if let from {
            let limit = Int64((from * scale).rounded())
            first = samples.lastIndex { $0.isSync && track.timeline.pts(of: $0) <= limit } ?? 0
        }
        var end = samples.count
        if let to {
            let limit = Int64((to * scale).rounded())
            end = (samples.lastIndex { track.timeline.pts(of: $0) < limit }).map { $0 + 1 } ?? 0
        }
        return first..<max(first, end)
    }

    /// Places every sample in the payload, chunk file by chunk file in the order of their
    /// bytes there (so the export keeps the chunks' interleaving and reads each file
    /// forward), and returns the parts that copy them: adjacent samples make one range.
    /// A merge of the tracks' runs, not a sort: an hour has a quarter million samples, and
    /// each track's samples of a chunk already come in file order.
    static func layOutPayload(_ tracks: inout [ExportTrack], paths: [String]) -> [SplicedFile.Part] {
        var parts: [SplicedFile.Part] = []
        var offset: Int64 = 0
        var next = [Int](repeating: 0, count: tracks.count)
        for source in paths.indices {
            var run: (start: Int64, count: Int64)?
            while true {
                // The track whose next sample of this chunk comes first in the file.
                var pick: Int?
                for t in tracks.indices where next[t] < tracks[t].samples.count && tracks[t].samples[next[t]].source == source {
                    if let p = pick, tracks[p].samples[next[p]].sourceOffset <= tracks[t].samples[next[t]].sourceOffset { continue }
                    pick = t
                }
                guard let t = pick else { break }
                let sample = tracks[t].samples[next[t]]
                tracks[t].samples[next[t]].payloadOffset = offset
                next[t] += 1
                offset += Int64(sample.size)
                if let current = run, current.start + current.count == sample.sourceOffset {
                    run!.count += Int64(sample.size)
                } else {
                    if let current = run { parts.append(.fileRange(path: paths[source], offset: current.start, count: current.count)) }
                    run = (sample.sourceOffset, Int64(sample.size))
                }
            }
            if let current = run { parts.append(.fileRange(path: paths[source], offset: current.start, count: current.count)) }
        }
        return parts
    }
}

extension ChunkConcatenation {
    /// Chunk files taken as consecutive, with no wall clock: each starts where the previous
    /// one's presentation ends, the first at 0 (`mp4writer --concat`).
    public static func consecutiveSources(_ paths: [String]) throws(ExportError) -> [ExportSource] {
        var sources: [ExportSource] = []
        var start = 0.0
        for path in paths {
            let reader: MP4Reader
            do { reader = try MP4Reader(path: path) } catch { throw .unreadable(path: path, reason: "\(error)") }
            sources.append(ExportSource(path: path, startTime: start))
            start += presentationLength(reader)
        }
        return sources
    }
}
