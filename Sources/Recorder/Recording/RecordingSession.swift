import Containers
import Foundation
import MediaCore

/// One recording of one stream, from its first keyframe to its end. It puts together small
/// pieces, each tested alone:
///
/// - `RecordingTracks`: the tracks it records (and those its output type cannot hold);
/// - `StartGate`: the one buffer of the recording: where its first file starts (the first
///   keyframe, with the audio lead) and each file's time origin;
/// - `ChunkSplitPolicy`: when a file closes and the next opens (chunkLength, waitForIDR,
///   winQtCompat);
/// - `ChunkNames`: the files' names (OutputNaming);
/// - `TimestampRebaser`: every file starts at zero with the A/V offset kept;
/// - `ChunkStats`: what each file holds, for its `chunkClosed` event.
///
/// The session runs on the thread that delivers the stream (under the stream's lock) and
/// never touches the disk: its files are made, written and closed by its `RecordingWriter`,
/// on a queue of its own. When that writer falls behind, frames are dropped as `BacklogGate`
/// says and reported as `framesDropped`. MP4 files go to the finalizer pool once closed.
public final class RecordingSession {
    public typealias WriterFactory = @Sendable (_ type: RecordParameters.OutputType, _ path: String,
                                      _ tracks: [TrackDescription], _ winQtCompat: Bool) throws -> ChunkWriter

    /// winQtCompat's bound on a file's payload (ChunkSplitPolicy).
    public static let winQtPayloadLimit = ChunkSplitPolicy.winQtPayloadLimit

    public let parameters: RecordParameters
    public var naming: OutputNaming { names.naming }
    private let pool: FinalizerPool?
    private let makeWriter: WriterFactory
    /// The recording's disk side: every file operation runs there, in order.
    let recordingWriter: RecordingWriter
    private var backlog = BacklogGate()
    /// The frame being handled had its wait for room outside (handle(_:roomWaited:)).
    private var waitedForRoom = false
    private let onEvent: @Sendable (RecordingEvent) -> Void

    private var tracks: RecordingTracks
    private var gate = StartGate()
    private let splitPolicy: ChunkSplitPolicy
    private var names: ChunkNames
    private var chunk: OpenChunk?
    public private(set) var filesWritten: [String] = []
    public private(set) var droppedFrames = 0
    /// Tracks this recording leaves out (the output cannot hold them), and what the source
    /// said it cannot give: each said once.
    public private(set) var notRecorded: [UnrecordableTrack] = []
    /// Unix seconds at tick 0 of the stream's timeline by the source's clock (an RTSP camera's
    /// sender reports); a chunk's wall-clock start is then its first frame's capture time.
    private var wallClockOrigin: Double?

    public init(parameters: RecordParameters, resolvedPath: String, pool: FinalizerPool?,
                writerFactory: @escaping WriterFactory = RecordingSession.defaultWriter,
                writerOptions: RecordingWriter.Options = RecordingWriter.Options(),
                onEvent: @escaping @Sendable (RecordingEvent) -> Void = { _ in }) {
        self.parameters = parameters
        names = ChunkNames(naming: OutputNaming(parameters: parameters, resolvedPath: resolvedPath))
        tracks = RecordingTracks(type: parameters.type)
        splitPolicy = ChunkSplitPolicy(parameters: parameters)
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
    public var nextPath: String { names.nextPath }

    /// The open file, its media bytes and seconds so far (listStreams); nil between files.
    public var openChunkProgress: (path: String, bytes: UInt64, seconds: Double)? {
        guard let open = chunk else { return nil }
        // Before its origin is decided a file has no time of its own yet.
        let seconds = open.rebaser?.origin == nil ? 0 : fileStats(open).seconds { [tracks] in tracks[$0]?.timescale }
        return (open.path, open.writer?.payloadBytes ?? 0, seconds)
    }

    /// The writer a frame of `bytes` would wait for now (nil: it would not wait): its queue is
    /// full, the session is not dropping already, and it waits at all (a live TCP source). The
    /// stream asks before each frame so that it waits outside its lock (LiveStream.deliver).
    func writerToWaitFor(bytes: Int) -> RecordingWriter? {
        let options = recordingWriter.options
        guard options.whenFull == .dropNewest, options.backpressureTimeout > .zero, backlog.dropping == nil,
              !recordingWriter.hasRoom(for: bytes) else { return nil }
        return recordingWriter
    }

    /// `handle(event)` for a frame whose room the caller has already waited for (outside its
    /// lock, `writerToWaitFor`): it is taken if it fits now, else the backlog policy drops it,
    /// without a second wait.
    func handle(_ event: DemuxEvent, roomWaited: Bool) throws {
        guard roomWaited else { return try handle(event) }
        waitedForRoom = true
        defer { waitedForRoom = false }
        try handle(event)
    }

    public func handle(_ event: DemuxEvent) throws {
        switch event {
        case .track(let track):
            switch tracks.announce(track) {
            case .stillRefused:
                return
            case .refused(let refused):
                notRecorded.append(refused)
                onEvent(.trackNotRecorded(refused))
                return
            case .recorded:
                // Early enough to be part of the open file (its origin is not decided); later, a
                // track waits for the next file.
                if let open = chunk, open.rebaser?.origin == nil, !open.tracks.contains(track.trackID) {
                    chunk?.tracks.add(track)
                    if let writer = open.writer, let added = chunk?.tracks.tracks.last { try writer.addTrack(added) }
                }
            }
        case let .sampleDescription(trackID, index, description):
            guard tracks.addDescription(description, index: index, toTrack: trackID),
                  let open = chunk, open.tracks.contains(trackID) else { return }
            let local: UInt16
            if let writer = open.writer {
                local = try writer.addSampleDescription(description, toTrack: trackID)
            } else if let appended = chunk?.tracks.appendDescription(description, toTrack: trackID) {
                local = appended
            } else {
                return
            }
            chunk?.tracks.map(index, to: local, track: trackID)
        case .frame(let frame):
            try handle(frame)
        case .unrecordable(let track):
            // The source reported it (once, for the whole stream); kept for the reason given
            // when nothing at all can be recorded.
            if !notRecorded.contains(track) { notRecorded.append(track) }
        case .metadata:
            if let origin = event.wallClockOrigin {
                wallClockOrigin = origin
                if let open = chunk {
                    chunk?.wallClockStart = origin + Double(open.opening.pts) / Double(open.openingScale)
                }
            }
        case .discontinuity:
            break
        }
    }

    private func handle(_ frame: MediaFrame) throws {
        guard let track = tracks[frame.trackID] else {
            if !tracks.isRefused(frame.trackID) { droppedFrames += 1 }
            return
        }
        if let open = chunk, !gate.isWaitingForAudio,
           splitPolicy.shouldSplit(before: frame, track: track, opening: open.opening, openingScale: open.openingScale,
                                   payloadBytes: open.writer?.payloadBytes, streamHasVideo: tracks.hasVideo) {
            try closeChunk()
            gate.restart(at: frame, timescale: track.timescale)
            openChunk(at: frame, timescale: track.timescale)
        }
        switch gate.admit(frame, track: track, tracks: tracks) {
        case .waiting(let dropped):
            droppedFrames += dropped
        case let .opening(opening, timescale, dropped):
            droppedFrames += dropped
            openOrAnnounceChunk(at: opening, timescale: timescale)
        case .pass:
            return try write(frame)
        }
        // The first keyframe waits for the audio track (up to `StartGate.startupWindowSeconds`):
        // an MP4 file opens at it now, and gains the audio track when it is announced.
        if writesAheadOfOrigin, chunk == nil, case let .waitingForAudio(keyframe, scale) = gate.phase {
            openChunk(at: keyframe, timescale: scale, announce: false)
        }
        if let release = gate.releaseIfDecided(tracks: tracks) {
            try start(release)
        } else {
            try writeAheadOfOrigin()
        }
    }

    /// MP4 files are written from their opening frame on, before their origin is decided (and,
    /// for the first file, before the audio track is known), so that a kill -9 in a file's
    /// first `StartGate.originWindowSeconds` (or the startup window) does not lose them:
    /// mp4writer starts the movie where its earliest track starts presenting, which is the
    /// origin (TimestampRebaser). FLV and MPEG-TS write timestamps into the file as they go,
    /// so their start waits for the origin.
    private var writesAheadOfOrigin: Bool { parameters.type == .mp4 }

    /// `announce`: report `chunkCreated` now. A first MP4 file opened while its keyframe waits
    /// for the audio track is reported when the start gate opens it (`openOrAnnounceChunk`):
    /// the catalog takes the stream's tracks from that event.
    private func openChunk(at frame: MediaFrame, timescale: UInt32, announce: Bool = true) {
        let path = names.takeNextPath()
        let wallClockStart = wallClockOrigin.map { $0 + Double(frame.pts) / Double(timescale) } ?? Date().timeIntervalSince1970
        chunk = OpenChunk(path: path, writer: nil, tracks: ChunkTracks(current: tracks), opening: frame,
                          openingScale: timescale, wallClockStart: wallClockStart)
        if announce { onEvent(.chunkCreated(path: path)) }
        if writesAheadOfOrigin {
            makeChunkWriter()
            chunk?.rebaser = TimestampRebaser(aheadOfOriginFrom: frame, scale: timescale)
        }
    }

    /// The start gate opens the recording's first file: opened now, or reported now when it was
    /// opened (unreported) at its keyframe while the gate waited for the audio track.
    private func openOrAnnounceChunk(at frame: MediaFrame, timescale: UInt32) {
        if let open = chunk {
            onEvent(.chunkCreated(path: open.path))
        } else {
            openChunk(at: frame, timescale: timescale)
        }
    }

    /// The open file's writer, with every track the file has by now.
    private func makeChunkWriter() {
        guard let open = chunk else { return }
        chunk?.writer = QueuedChunkWriter(path: open.path, tracks: open.tracks.tracks, type: parameters.type,
                                          winQtCompat: parameters.winQtCompat, on: recordingWriter, make: makeWriter)
    }

    /// Writes what the start gate holds for the file's origin and is not written yet, when the
    /// file is written ahead of its origin: every such frame is in the origin window.
    private func writeAheadOfOrigin() throws {
        guard let open = chunk, open.writer != nil, open.rebaser?.origin == nil else { return }
        for frame in gate.held.dropFirst(open.writtenAhead) { try write(frame) }
        chunk?.writtenAhead = gate.held.count
    }

    /// The open file's origin is decided: the writer is made now (with every track known by
    /// now) unless the file is written ahead of its origin, and the held frames not written
    /// yet are written.
    private func start(_ release: StartGate.Release) throws {
        guard let open = chunk else { return }
        if open.writer == nil {
            chunk?.rebaser = TimestampRebaser(origin: release.origin)
            makeChunkWriter()
        } else {
            chunk?.rebaser?.decide(release.origin)
        }
        chunk?.writtenAhead = 0
        for frame in release.frames.dropFirst(open.writtenAhead) { try write(frame) }
    }

    /// The file's figures in its own time (zero at its origin).
    private func fileStats(_ open: OpenChunk) -> ChunkStats {
        guard let rebaser = open.rebaser else { return open.stats }
        return open.stats.shifted { [tracks] id in tracks[id].map { rebaser.fileTime(0, track: $0) } ?? 0 }
    }

    private func write(_ frame: MediaFrame) throws {
        guard let open = chunk, let rebaser = open.rebaser, let track = tracks[frame.trackID] else { return }
        // Not a track of this file (announced after it started), not in its time, or with a
        // description the file does not have: not written.
        guard case .local(let local) = open.tracks.localIndex(track: frame.trackID, streamIndex: frame.sampleDescriptionIndex),
              var rebased = rebaser.rebase(frame, track: track, lastDTS: open.stats.lastDTS[frame.trackID]) else {
            droppedFrames += 1
            return
        }
        rebased.sampleDescriptionIndex = local
        let fits = waitedForRoom ? recordingWriter.hasRoom(for: rebased.payload.count)
                                 : recordingWriter.admits(bytes: rebased.payload.count, dropping: backlog.dropping != nil)
        switch backlog.decide(bytes: rebased.payload.count, isVideo: track.kind == .video, isKeyframe: rebased.isKeyframe,
                              streamHasVideo: tracks.hasVideo, fits: fits) {
        case .write:
            break
        case .drop:
            droppedFrames += 1
            return
        case .resume(let run):
            onEvent(.framesDropped(path: open.path, frames: run.frames, bytes: run.bytes))
        }
        try open.writer?.write(rebased)
        chunk?.stats.record(trackID: rebased.trackID, dts: rebased.dts)
    }

    /// Queues the close of the open file; its `chunkClosed` (or `chunkError`) is reported
    /// from the writer's queue once the file is closed, and an MP4 goes to the pool from there.
    private func closeChunk() throws {
        if let release = gate.release(tracks: tracks) { try start(release) }
        guard let open = chunk else { return }
        chunk = nil
        let path = open.path
        if let run = backlog.endOfFile() {
            onEvent(.framesDropped(path: path, frames: run.frames, bytes: run.bytes))
        }
        filesWritten.append(path)
        let summary = fileStats(open).summary(path: path, wallClockStart: open.wallClockStart) { [tracks] in tracks[$0]?.timescale }
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
        if let (opening, timescale) = gate.openWhatIsHeld() {
            // A stream shorter than the opening window still gets its file.
            openOrAnnounceChunk(at: opening, timescale: timescale)
            if let release = gate.releaseIfDecided(tracks: tracks) { try start(release) }
        }
        try closeChunk()
        // The end of the recording waits for its files: closed, and MP4s queued to finalize.
        recordingWriter.waitUntilIdle()
        try recordingWriter.throwIfFailed()
        if names.opened == 0 && !notRecorded.isEmpty {
            // Nothing was written because nothing could be: say why, as an error.
            onEvent(.chunkError(path: nextPath, message: "nothing recordable: "
                                + notRecorded.map(\.description).joined(separator: "; ")))
        }
    }
}
