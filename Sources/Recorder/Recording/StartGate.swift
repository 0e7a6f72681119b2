import MediaCore

/// The one place a recording holds frames before it writes them: first until it knows which
/// frame its first file opens with, then, for every file, until the file's time origin is
/// decided. Everything else passes straight through.
///
/// - The first file opens at the first video keyframe, held (with what follows it) until the
///   audio track shows up or `startupWindowSeconds` of media have passed: in MPEG-TS the audio
///   is often announced just after the first picture, and a file cannot gain a track once it
///   is started. An audio-only stream opens at its first frame once that window shows there is
///   no video. Video before the first keyframe cannot be decoded alone and is dropped; audio
///   presented up to `originWindowSeconds` before it is the source's audio lead and is kept.
/// - Each file holds its first `originWindowSeconds` to find its origin (FileOrigin).
///
/// Bounded: at most `startupWindowSeconds` of audio while waiting for a keyframe, then at most
/// a window of media, and never more than `maxHeldBytes` whatever the timestamps say.
struct StartGate {
    /// How much media is buffered, at most, while waiting to know whether there is video.
    static let startupWindowSeconds = 1.0
    /// Media held at the start of each file to find its earliest presentation time: audio
    /// that arrives just after the keyframe may be presented just before it.
    static let originWindowSeconds = 0.5
    /// Held bytes past which the gate stops waiting (timestamps that do not advance would
    /// otherwise hold a stream forever): ~5 s at 100 Mbps.
    static let maxHeldBytes = 64 << 20

    enum Phase: Equatable {
        /// No file yet: waiting for the opening frame.
        case waitingForOpening
        /// The opening keyframe is known; held until the audio track shows up or the window ends.
        case waitingForAudio(keyframe: MediaFrame, timescale: UInt32)
        /// A file is open at `opening`; its first frames are held until its origin is decided.
        case decidingOrigin(opening: MediaFrame, timescale: UInt32)
        /// The file's origin is known: frames go straight to it.
        case passing
    }

    enum Admission: Equatable {
        /// Held (or, before the opening, dropped: `dropped` frames the recording will not have).
        case waiting(dropped: Int)
        /// The recording's first file opens at this frame; the held frames wait for its origin.
        case opening(MediaFrame, timescale: UInt32, dropped: Int)
        /// Write it now.
        case pass
    }

    /// A decided origin and the frames held until then, in arrival order.
    struct Release: Equatable {
        let origin: FileOrigin
        let frames: [MediaFrame]
    }

    private(set) var phase = Phase.waitingForOpening
    private(set) var held: [MediaFrame] = []
    private(set) var heldBytes = 0
    /// Held frames already compared with the origin window.
    private var checked = 0

    /// The first keyframe is known and waits for the audio track.
    var isWaitingForAudio: Bool {
        if case .waitingForAudio = phase { return true }
        return false
    }

    /// A frame of a recorded track (`track`), in arrival order.
    mutating func admit(_ frame: MediaFrame, track: TrackDescription, tracks: RecordingTracks) -> Admission {
        switch phase {
        case .passing:
            return .pass
        case .decidingOrigin:
            hold(frame)
            return .waiting(dropped: 0)
        case let .waitingForAudio(keyframe, keyScale):
            hold(frame)
            let span = Double(frame.dts) / Double(track.timescale) - Double(keyframe.dts) / Double(keyScale)
            if tracks.hasAudio || span >= Self.startupWindowSeconds || heldBytes > Self.maxHeldBytes {
                return open(at: keyframe, timescale: keyScale, dropped: 0)
            }
            return .waiting(dropped: 0)
        case .waitingForOpening:
            if track.kind == .video {
                guard frame.isKeyframe else { return .waiting(dropped: 1) }
                // Audio that arrived before the keyframe and is presented at most
                // `originWindowSeconds` before it is the source's audio lead (an encoder starts
                // its audio a few milliseconds before its first picture): it stays. Older audio
                // and other video are not part of the file.
                let keyTime = Double(frame.pts) / Double(track.timescale)
                let lead = held.filter { earlier in
                    guard let earlierTrack = tracks[earlier.trackID], earlierTrack.kind == .audio else { return false }
                    return Double(earlier.pts) / Double(earlierTrack.timescale) >= keyTime - Self.originWindowSeconds
                }
                let dropped = held.count - lead.count
                held = []
                heldBytes = 0
                lead.forEach { hold($0) }
                hold(frame)
                if tracks.hasAudio { return open(at: frame, timescale: track.timescale, dropped: dropped) }
                phase = .waitingForAudio(keyframe: frame, timescale: track.timescale)
                return .waiting(dropped: dropped)
            }
            hold(frame)
            let first = held[0]
            let span = Double(frame.dts - first.dts) / Double(track.timescale)
            if !tracks.hasVideo && span >= Self.startupWindowSeconds, let firstTrack = tracks[first.trackID] {
                return open(at: first, timescale: firstTrack.timescale, dropped: 0)
            } else if tracks.hasVideo || span >= Self.startupWindowSeconds {
                // Video is expected: keep only the last second of audio while waiting for it.
                held.removeAll { Double(frame.dts - $0.dts) / Double(track.timescale) > Self.startupWindowSeconds && $0.trackID == frame.trackID }
                heldBytes = held.reduce(0) { $0 + $1.payload.count }
            }
            var dropped = 0
            while heldBytes > Self.maxHeldBytes, held.count > 1 {
                heldBytes -= held.removeFirst().payload.count
                dropped += 1
            }
            return .waiting(dropped: dropped)
        }
    }

    /// Once the file's first `originWindowSeconds` have arrived: its origin and the held frames.
    mutating func releaseIfDecided(tracks: RecordingTracks) -> Release? {
        guard case let .decidingOrigin(opening, scale) = phase else { return nil }
        let openingSeconds = Double(opening.dts) / Double(scale)
        while checked < held.count {
            let frame = held[checked]
            checked += 1
            if tracks.seconds(frame.dts, track: frame.trackID) - openingSeconds >= Self.originWindowSeconds {
                return decide(window: checked, tracks: tracks)
            }
        }
        return heldBytes > Self.maxHeldBytes ? decide(window: held.count, tracks: tracks) : nil
    }

    /// The file closes (or the recording ends) before its window is over: the origin is decided
    /// from what arrived. nil when no file is deciding its origin.
    mutating func release(tracks: RecordingTracks) -> Release? {
        guard case .decidingOrigin = phase else { return nil }
        return decide(window: held.count, tracks: tracks)
    }

    /// The next file opens at `keyframe` (a split): its origin is decided afresh.
    mutating func restart(at keyframe: MediaFrame, timescale: UInt32) {
        held = []
        heldBytes = 0
        checked = 0
        phase = .decidingOrigin(opening: keyframe, timescale: timescale)
    }

    /// The recording ends: a keyframe still waiting for the audio opens its file now (a stream
    /// shorter than the window still gets its file); audio waiting for video is let go.
    mutating func openWhatIsHeld() -> (opening: MediaFrame, timescale: UInt32)? {
        guard case let .waitingForAudio(keyframe, scale) = phase else {
            if phase == .waitingForOpening {
                held = []
                heldBytes = 0
            }
            return nil
        }
        phase = .decidingOrigin(opening: keyframe, timescale: scale)
        checked = 0
        return (keyframe, scale)
    }

    private mutating func hold(_ frame: MediaFrame) {
        held.append(frame)
        heldBytes += frame.payload.count
    }

    private mutating func open(at frame: MediaFrame, timescale: UInt32, dropped: Int) -> Admission {
        phase = .decidingOrigin(opening: frame, timescale: timescale)
        checked = 0
        return .opening(frame, timescale: timescale, dropped: dropped)
    }

    /// The origin is the earliest presentation among the first `window` held frames, leading
    /// pictures left out (FileOrigin.isLeadingPicture).
    private mutating func decide(window: Int, tracks: RecordingTracks) -> Release {
        guard case let .decidingOrigin(opening, scale) = phase else { preconditionFailure("no file is deciding its origin") }
        let probe = FileOrigin(ticks: opening.pts, scale: scale, opening: opening, openingScale: scale)
        var best = (ticks: opening.pts, scale: scale)
        for frame in held[0..<window] {
            guard let track = tracks[frame.trackID], !probe.isLeadingPicture(frame, track: track) else { continue }
            if Double(frame.pts) / Double(track.timescale) < Double(best.ticks) / Double(best.scale) {
                best = (frame.pts, track.timescale)
            }
        }
        let frames = held
        held = []
        heldBytes = 0
        checked = 0
        phase = .passing
        return Release(origin: FileOrigin(ticks: best.ticks, scale: best.scale, opening: opening, openingScale: scale),
                       frames: frames)
    }
}
