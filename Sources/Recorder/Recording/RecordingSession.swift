import Containers
import Foundation
import MediaCore

/// One recording of one stream, from its first keyframe to its end: splits it into chunks
/// (chunkLength, waitForIDR, winQtCompat), names them (OutputNaming), rebases timestamps so
/// that every file starts at zero with the A/V offset kept, and hands MP4 chunks to the
/// finalizer pool.
///
/// The session runs on the thread that delivers the stream (under the stream's lock) and
/// never touches the disk: its files are made, written and closed by its `RecordingWriter`,
/// on a queue of its own. When that writer falls behind, frames are dropped as `BacklogGate`
/// says and reported as `framesDropped`.
///
/// Recording starts at the first video keyframe (audio-only streams: the first audio frame
/// after 1 s of buffered media shows there is no video); frames before it cannot be decoded
/// alone and are dropped, except the audio lead presented up to `originWindowSeconds` before it.
public final class RecordingSession {
    public typealias WriterFactory = @Sendable (_ type: RecordParameters.OutputType, _ path: String,
                                      _ tracks: [TrackDescription], _ winQtCompat: Bool) throws -> ChunkWriter

    /// winQtCompat: start a new part before the payload reaches what 32-bit offsets address,
    /// with room for the moov and the header (a 4-hour 10 Mbps chunk has a moov under 8 MiB).
    public static let winQtPayloadLimit: UInt64 = UInt64(UInt32.max) - (64 << 20)
    /// How much media is buffered, at most, while waiting to know whether there is video.
    static let startupWindowSeconds = 1.0
    /// Media held at the start of each file to find its earliest presentation time: audio
    /// that arrives just after the keyframe may be presented just before it.
    static let originWindowSeconds = 0.5

    public let parameters: RecordParameters
    public let naming: OutputNaming
    private let pool: FinalizerPool?
    private let makeWriter: WriterFactory
    /// The recording's disk side: every file operation runs there, in order.
    let recordingWriter: RecordingWriter
    private var backlog = BacklogGate()
    private let onEvent: @Sendable (RecordingEvent) -> Void

    /// Tracks of the stream, with every sample description seen so far.
    private var streamTracks: [UInt32: TrackDescription] = [:]
    private var trackOrder: [UInt32] = []
    private var pending: [MediaFrame] = []
    private var stem: String?
    private var partIndex = 0

    private struct OpenChunk {
        let path: String
        /// Made when the origin is decided, with every track known by then: a track announced
        /// in the file's first `originWindowSeconds` (MPEG-TS announces each audio language
        /// with its first PES, after the first picture) is part of the file.
        var writer: QueuedChunkWriter?
        /// The file's tracks, each with the descriptions it has in this file.
        var tracks: [TrackDescription]
        /// The frame the file starts with (a keyframe when there is video).
        let opening: MediaFrame
        let openingScale: UInt32
        /// The chunk's time zero, in its own timescale: the earliest presentation time of
        /// the frames that arrived in its first `originWindowSeconds` (audio may start a few
        /// milliseconds before the first picture; that offset is kept). nil until decided.
        var originTicks: Int64?
        var originScale: UInt32 = 1
        /// Frames held until the origin is decided.
        var startBuffer: [MediaFrame] = []
        /// Stream description index -> this file's index, per track.
        var descriptionMap: [UInt32: [UInt16: UInt16]]
        var lastDTS: [UInt32: Int64] = [:]
        var firstDTS: [UInt32: Int64] = [:]
        var samples: [UInt32: Int] = [:]
        /// Unix seconds of the opening frame: the source's wall clock when it gives one (an
        /// RTSP sender report, which may come a few seconds after the file opened), else ours.
        var wallClockStart: Double
    }
    private var chunk: OpenChunk?
    public private(set) var filesWritten: [String] = []
    public private(set) var droppedFrames = 0
    /// Tracks this recording leaves out (the output cannot hold them), and what the source
    /// said it cannot give: each said once.
    public private(set) var notRecorded: [UnrecordableTrack] = []
    private var refusedTracks: Set<UInt32> = []
    /// Unix seconds at tick 0 of the stream's timeline by the source's clock (an RTSP camera's
    /// sender reports); a chunk's wall-clock start is then its first frame's capture time.
    private var wallClockOrigin: Double?

    public init(parameters: RecordParameters, resolvedPath: String, pool: FinalizerPool?,
                writerFactory: @escaping WriterFactory = RecordingSession.defaultWriter,
                writerOptions: RecordingWriter.Options = RecordingWriter.Options(),
                onEvent: @escaping @Sendable (RecordingEvent) -> Void = { _ in }) {
        self.parameters = parameters
        naming = OutputNaming(parameters: parameters, resolvedPath: resolvedPath)
        self.pool = pool
        makeWriter = writerFactory
        recordingWriter = RecordingWriter(options: writerOptions)
        self.onEvent = onEvent
    }

    /// MP4 through staging sets; FLV and MPEG-TS through the container writers.
    public static func defaultWriter(type: RecordParameters.OutputType, path: String, tracks: [TrackDescription],
                                     winQtCompat: Bool) throws -> ChunkWriter {
        switch type {
        case .mp4: return try MP4ChunkWriter(path: path, tracks: tracks, winQtCompat: winQtCompat)
        case .flv, .ts: return try ContainerChunkWriter(type: type, path: path, tracks: tracks)
        }
    }

    /// The path the next file will have (computedPathToFile before recording starts).
    public var nextPath: String {
        stem.map { naming.path(stem: $0, part: partIndex) } ?? naming.firstPath
    }

    /// The open file, its media bytes and seconds so far (listStreams); nil between files.
    public var openChunkProgress: (path: String, bytes: UInt64, seconds: Double)? {
        guard let open = chunk else { return nil }
        let seconds = open.lastDTS.map { id, dts in Double(dts) / Double(streamTracks[id]?.timescale ?? 1) }.max() ?? 0
        return (open.path, open.writer?.payloadBytes ?? 0, seconds)
    }

    public func handle(_ event: DemuxEvent) throws {
        switch event {
        case .track(let track):
            guard !refusedTracks.contains(track.trackID) else { return }
            if streamTracks[track.trackID] == nil {
                let kept = trackOrder.compactMap { streamTracks[$0] }
                if let reason = TrackSelection.refusal(of: track, type: parameters.type, kept: kept) {
                    refusedTracks.insert(track.trackID)
                    let refused = UnrecordableTrack(name: "track \(track.trackID) (\(track.codec))", reason: reason)
                    notRecorded.append(refused)
                    onEvent(.trackNotRecorded(refused))
                    return
                }
                trackOrder.append(track.trackID)
            }
            streamTracks[track.trackID] = track
            if var open = chunk, open.writer == nil, open.descriptionMap[track.trackID] == nil {
                // Early enough to be part of the open file; later, a track waits for the next file.
                let current = track.sampleDescriptions.count
                open.tracks.append(TrackDescription(trackID: track.trackID, timescale: track.timescale,
                                                    sampleDescriptions: [track.sampleDescriptions[current - 1]]))
                open.descriptionMap[track.trackID] = [UInt16(current): 1]
                chunk = open
            }
        case let .sampleDescription(trackID, index, description):
            guard var track = streamTracks[trackID] else { return }
            while track.sampleDescriptions.count < Int(index) - 1 { track.sampleDescriptions.append(description) }
            if track.sampleDescriptions.count < Int(index) { track.sampleDescriptions.append(description) }
            streamTracks[trackID] = track
            if var open = chunk, open.descriptionMap[trackID] != nil {
                let local: UInt16
                if let writer = open.writer {
                    local = try writer.addSampleDescription(description, toTrack: trackID)
                } else if let position = open.tracks.firstIndex(where: { $0.trackID == trackID }) {
                    open.tracks[position].sampleDescriptions.append(description)
                    local = UInt16(open.tracks[position].sampleDescriptions.count)
                } else {
                    return
                }
                open.descriptionMap[trackID]![index] = local
                chunk = open
            }
        case .frame(let frame):
            try handle(frame)
        case .unrecordable(let track):
            // The source reported it (once, for the whole stream); kept for the reason given
            // when nothing at all can be recorded.
            if !notRecorded.contains(track) { notRecorded.append(track) }
        case .metadata:
            if let origin = event.wallClockOrigin {
                wallClockOrigin = origin
                if var open = chunk {
                    open.wallClockStart = origin + Double(open.opening.pts) / Double(open.openingScale)
                    chunk = open
                }
            }
        case .discontinuity:
            break
        }
    }

    private var hasVideo: Bool { streamTracks.values.contains { $0.kind == .video } }
    private var hasAudio: Bool { streamTracks.values.contains { $0.kind == .audio } }

    private func handle(_ frame: MediaFrame) throws {
        guard let track = streamTracks[frame.trackID] else {
            if !refusedTracks.contains(frame.trackID) { droppedFrames += 1 }
            return
        }
        guard chunk != nil else { return try waitForStart(frame, track: track) }
        if shouldSplit(before: frame, track: track) {
            try closeChunk()
            try openChunk(at: frame, track: track)
        }
        try write(frame)
    }

    /// The first video keyframe, held (with what follows it) until the audio track shows up
    /// or a second of media has passed: in MPEG-TS the audio is often announced just after
    /// the first picture, and a file cannot gain a track once it is started.
    private var openingKeyframe: MediaFrame?

    private func waitForStart(_ frame: MediaFrame, track: TrackDescription) throws {
        if let key = openingKeyframe {
            pending.append(frame)
            let keyTrack = streamTracks[key.trackID]!
            let span = Double(frame.dts) / Double(track.timescale) - Double(key.dts) / Double(keyTrack.timescale)
            if hasAudio || span >= Self.startupWindowSeconds {
                let buffered = pending
                pending = []
                openingKeyframe = nil
                try openChunk(at: key, track: keyTrack)
                for f in buffered { try write(f) }
            }
            return
        }
        if track.kind == .video {
            guard frame.isKeyframe else { droppedFrames += 1; return }
            // The file starts with the keyframe. Audio that arrived before it and is presented
            // at most `originWindowSeconds` before it is the source's audio lead (an encoder
            // starts its audio a few milliseconds before its first picture): it stays, and
            // the file's origin moves to it. Older audio and other video are not part of it.
            let keyTime = Double(frame.pts) / Double(track.timescale)
            let lead = pending.filter { held in
                guard let heldTrack = streamTracks[held.trackID], heldTrack.kind == .audio else { return false }
                return Double(held.pts) / Double(heldTrack.timescale) >= keyTime - Self.originWindowSeconds
            }
            droppedFrames += pending.count - lead.count
            pending = lead + [frame]
            openingKeyframe = frame
            if hasAudio {
                let buffered = pending
                pending = []
                openingKeyframe = nil
                try openChunk(at: frame, track: track)
                for f in buffered { try write(f) }
            }
            return
        }
        pending.append(frame)
        let first = pending[0]
        let span = Double(frame.dts - first.dts) / Double(track.timescale)
        if !hasVideo && span >= Self.startupWindowSeconds {
            try openChunk(at: first, track: streamTracks[first.trackID]!)
            let buffered = pending
            pending = []
            for f in buffered { try write(f) }
        } else if hasVideo || span >= Self.startupWindowSeconds {
            // Video is expected: keep only the last second of audio while waiting for it.
            pending.removeAll { Double(frame.dts - $0.dts) / Double(track.timescale) > Self.startupWindowSeconds && $0.trackID == frame.trackID }
        }
    }

    private func shouldSplit(before frame: MediaFrame, track: TrackDescription) -> Bool {
        guard let open = chunk else { return false }
        if parameters.winQtCompat, let writer = open.writer,
           writer.payloadBytes + UInt64(frame.payload.count) > Self.winQtPayloadLimit {
            return true
        }
        guard parameters.chunkLength > 0 else { return false }
        let start = TimescaleConversion.rescale(open.opening.pts, from: open.openingScale, to: track.timescale)
        let elapsed = Double(frame.pts - start) / Double(track.timescale)
        guard elapsed >= Double(parameters.chunkLength) else { return false }
        if parameters.waitForIDR && hasVideo {
            return track.kind == .video && frame.isKeyframe
        }
        return true
    }

    private func openChunk(at frame: MediaFrame, track: TrackDescription) throws {
        let stem = self.stem ?? naming.stemForNewRecording()
        self.stem = stem
        let path = naming.path(stem: stem, part: partIndex)
        partIndex += 1
        // Each file starts with the description each track is using now, as its number 1.
        var tracks: [TrackDescription] = []
        var map: [UInt32: [UInt16: UInt16]] = [:]
        for id in trackOrder {
            guard let t = streamTracks[id] else { continue }
            let current = t.sampleDescriptions.count
            tracks.append(TrackDescription(trackID: id, timescale: t.timescale, sampleDescriptions: [t.sampleDescriptions[current - 1]]))
            map[id] = [UInt16(current): 1]
        }
        chunk = OpenChunk(path: path, writer: nil, tracks: tracks, opening: frame, openingScale: track.timescale,
                          descriptionMap: map,
                          wallClockStart: wallClockOrigin.map { $0 + Double(frame.pts) / Double(track.timescale) } ?? Date().timeIntervalSince1970)
        onEvent(.chunkCreated(path: path))
    }

    /// Every frame of an open file goes through here: held while the file's origin is not
    /// decided, written once it is.
    private func write(_ frame: MediaFrame) throws {
        guard var open = chunk else { return }
        if open.originTicks != nil { return try writeRebased(frame) }
        open.startBuffer.append(frame)
        chunk = open
        let track = streamTracks[frame.trackID]!
        let span = Double(frame.dts) / Double(track.timescale) - Double(open.opening.dts) / Double(open.openingScale)
        if span >= Self.originWindowSeconds { try decideOrigin() }
    }

    /// The origin is the earliest presentation among the held frames, except video frames
    /// presented before the opening keyframe (leading pictures of an open GOP cannot be
    /// decoded without the previous GOP, so they are not written).
    private func decideOrigin() throws {
        guard var open = chunk, open.originTicks == nil else { return }
        var best = (ticks: open.opening.pts, scale: open.openingScale)
        for f in open.startBuffer {
            guard let t = streamTracks[f.trackID], !isLeadingPicture(f, in: open) else { continue }
            if Double(f.pts) / Double(t.timescale) < Double(best.ticks) / Double(best.scale) { best = (f.pts, t.timescale) }
        }
        open.originTicks = best.ticks
        open.originScale = best.scale
        open.writer = QueuedChunkWriter(path: open.path, tracks: open.tracks, type: parameters.type,
                                        winQtCompat: parameters.winQtCompat, on: recordingWriter, make: makeWriter)
        let held = open.startBuffer
        open.startBuffer = []
        chunk = open
        for f in held { try writeRebased(f) }
    }

    private func isLeadingPicture(_ frame: MediaFrame, in open: OpenChunk) -> Bool {
        guard let t = streamTracks[frame.trackID], t.kind == .video else { return false }
        return Double(frame.pts) / Double(t.timescale) < Double(open.opening.pts) / Double(open.openingScale)
    }

    private func writeRebased(_ frame: MediaFrame) throws {
        guard var open = chunk, let origin = open.originTicks, let track = streamTracks[frame.trackID] else { return }
        guard let map = open.descriptionMap[frame.trackID] else { droppedFrames += 1; return }
        let shift = TimescaleConversion.rescale(origin, from: open.originScale, to: track.timescale)
        var f = frame
        f.dts -= shift
        f.pts -= shift
        // Presented before the file's start, a leading picture, or going back in time: not written.
        if f.pts < 0 || isLeadingPicture(frame, in: open) || (open.lastDTS[f.trackID].map { f.dts < $0 } ?? false) {
            droppedFrames += 1
            return
        }
        guard let local = map[frame.sampleDescriptionIndex] else { droppedFrames += 1; return }
        f.sampleDescriptionIndex = local
        let fits = recordingWriter.admits(bytes: f.payload.count, dropping: backlog.dropping != nil)
        switch backlog.decide(bytes: f.payload.count, isVideo: track.kind == .video, isKeyframe: f.isKeyframe,
                              streamHasVideo: hasVideo, fits: fits) {
        case .write:
            break
        case .drop:
            droppedFrames += 1
            return
        case .resume(let run):
            onEvent(.framesDropped(path: open.path, frames: run.frames, bytes: run.bytes))
        }
        try open.writer?.write(f)
        open.lastDTS[f.trackID] = f.dts
        if open.firstDTS[f.trackID] == nil { open.firstDTS[f.trackID] = f.dts }
        open.samples[f.trackID, default: 0] += 1
        chunk = open
    }

    /// Queues the close of the open file; its `chunkClosed` (or `chunkError`) is reported
    /// from the writer's queue once the file is closed, and an MP4 goes to the pool from there.
    private func closeChunk() throws {
        try decideOrigin()
        guard let open = chunk else { return }
        chunk = nil
        let path = open.path
        if let run = backlog.endOfFile() {
            onEvent(.framesDropped(path: path, frames: run.frames, bytes: run.bytes))
        }
        var first: [UInt32: Double] = [:], last: [UInt32: Double] = [:]
        var duration = 0.0
        for (id, dts) in open.lastDTS {
            let scale = Double(streamTracks[id]?.timescale ?? 1)
            first[id] = Double(open.firstDTS[id] ?? 0) / scale
            last[id] = Double(dts) / scale
            duration = max(duration, Double(dts) / scale)
        }
        filesWritten.append(path)
        let summary = ChunkSummary(path: path, durationSeconds: duration, payloadBytes: 0, samples: open.samples,
                                   firstTimestamp: first, lastTimestamp: last, wallClockStart: open.wallClockStart)
        let notify = onEvent
        let pool = parameters.type == .mp4 ? self.pool : nil
        open.writer?.close { result in
            switch result {
            case .failure(let error):
                notify(.chunkError(path: path, message: "\(error)"))
            case .success(let bytes):
                var closed = summary
                closed.payloadBytes = bytes
                notify(.chunkClosed(closed))
                pool?.finalize(path) { result in
                    notify(result.succeeded ? .chunkFinalized(path: path)
                                            : .chunkError(path: path, message: "mp4writer exited \(result.status): \(result.output)"))
                }
            }
        }
    }

    /// Ends the recording: the open chunk is closed (and, for MP4, queued for finalizing).
    public func finish() throws {
        if let key = openingKeyframe, let track = streamTracks[key.trackID] {
            // A stream shorter than the opening window still gets its file.
            let buffered = pending
            pending = []
            openingKeyframe = nil
            try openChunk(at: key, track: track)
            for f in buffered { try write(f) }
        }
        pending = []
        try closeChunk()
        // The end of the recording waits for its files: closed, and MP4s queued to finalize.
        recordingWriter.waitUntilIdle()
        try recordingWriter.throwIfFailed()
        if partIndex == 0 && !notRecorded.isEmpty {
            // Nothing was written because nothing could be: say why, as an error.
            onEvent(.chunkError(path: nextPath, message: "nothing recordable: "
                                + notRecorded.map(\.description).joined(separator: "; ")))
        }
    }
}

