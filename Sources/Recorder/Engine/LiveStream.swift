import Containers
import Foundation
import MediaCore

/// An inbound stream while it is live: its tracks so far, its source, a byte counter for the
/// bitrate, and the recording sessions attached to it. Everything about one stream happens
/// under its own lock, so one stream's disk never waits for another's.
final class LiveStream: @unchecked Sendable {
    let name: String
    let source: String
    let clientAddress: String?
    let lock = NSLock()
    /// Current track descriptions, every sample description seen so far included.
    private(set) var tracks: [UInt32: TrackDescription] = [:]
    private(set) var trackOrder: [UInt32] = []
    /// Streams of the source that cannot be recorded, as its reader reported them.
    private(set) var notRecorded: [UnrecordableTrack] = []
    /// Sessions by config id.
    var sessions: [Int: RecordingSession] = [:]
    /// When configs whose recording failed on this stream try again (nil: none waiting).
    var retryAt: ContinuousClock.Instant?
    private var bytes: UInt64 = 0
    /// Unix seconds at tick 0 of the stream's timeline, by the source's clock (RTSP: the first
    /// RTCP sender report); given to sessions that start later.
    private(set) var wallClockOrigin: Double?
    private let started = Date()
    /// The current GOP: every frame since the latest video keyframe (or the last few seconds
    /// of an audio-only stream), so that a record issued mid-stream starts at that keyframe
    /// instead of waiting for the next one.
    private var gop: [MediaFrame] = []
    private var gopBytes = 0
    /// A GOP longer than this is not cached whole (a 10 s GOP at 50 Mbps is ~60 MiB).
    static let maxGOPBytes = 64 << 20
    /// Audio-only streams keep this much media for a late record.
    static let audioOnlyCacheSeconds = 1.0

    init(name: String, source: String, clientAddress: String?) {
        self.name = name
        self.source = source
        self.clientAddress = clientAddress
    }

    /// Applies an event to the stream's state and to every session; called under `lock`.
    func deliver(_ event: DemuxEvent, onError: (Int, Error) -> Void) {
        switch event {
        case .track(let track):
            if tracks[track.trackID] == nil { trackOrder.append(track.trackID) }
            tracks[track.trackID] = track
        case let .sampleDescription(trackID, index, description):
            if var track = tracks[trackID], Int(index) == track.sampleDescriptions.count + 1 {
                track.sampleDescriptions.append(description)
                tracks[trackID] = track
            }
        case .frame(let frame):
            bytes += UInt64(frame.payload.count)
            cache(frame)
        case .unrecordable(let track):
            if !notRecorded.contains(track) { notRecorded.append(track) }
        case .metadata:
            if let origin = event.wallClockOrigin { wallClockOrigin = origin }
        case .discontinuity:
            break
        }
        for (id, session) in sessions {
            do {
                try session.handle(event)
            } catch {
                onError(id, error)
            }
        }
    }

    private func cache(_ frame: MediaFrame) {
        guard let track = tracks[frame.trackID] else { return }
        let hasVideo = tracks.values.contains { $0.kind == .video }
        if track.kind == .video && frame.isKeyframe {
            gop = []
            gopBytes = 0
        } else if !hasVideo, let first = gop.first,
                  Double(frame.dts - first.dts) / Double(track.timescale) > Self.audioOnlyCacheSeconds {
            gopBytes -= gop.removeFirst().payload.count
        }
        if hasVideo && gop.isEmpty && !(track.kind == .video && frame.isKeyframe) { return }  // no keyframe yet
        guard gopBytes + frame.payload.count <= Self.maxGOPBytes else {
            // Too long a GOP to hold: a late record waits for the next keyframe.
            gop = []
            gopBytes = 0
            return
        }
        gop.append(frame)
        gopBytes += frame.payload.count
    }

    /// A session starting mid-stream first learns the tracks as they are now, then gets the
    /// current GOP, so it starts at the latest keyframe.
    func attach(_ session: RecordingSession, configId: Int) throws {
        for id in trackOrder {
            guard let track = tracks[id] else { continue }
            try session.handle(.track(track))
        }
        if let wallClockOrigin { try session.handle(.metadata([DemuxEvent.wallClockOriginKey: .number(wallClockOrigin)])) }
        for frame in gop { try session.handle(.frame(frame)) }
        sessions[configId] = session
    }

    func snapshot() -> StreamSnapshot {
        var video: String?, audio: String?
        for id in trackOrder {
            guard let t = tracks[id], let d = t.sampleDescriptions.last else { continue }
            if t.kind == .video { video = "\(d.codec) \(d.width)x\(d.height)" } else { audio = "\(d.codec) \(d.sampleRate) Hz \(d.channelCount) ch" }
        }
        let seconds = max(0.001, Date().timeIntervalSince(started))
        var snapshot = StreamSnapshot(localStreamName: name, source: source, clientAddress: clientAddress, video: video, audio: audio,
                                      bitrateKbps: Int(Double(bytes) * 8 / seconds / 1000), active: true)
        snapshot.notRecorded = notRecorded.map(\.description)
        return snapshot
    }

    var hasAudio: Bool { tracks.values.contains { $0.kind == .audio } }
}
