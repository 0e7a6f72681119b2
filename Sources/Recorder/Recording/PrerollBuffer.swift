import MediaCore

/// What a recording started now would begin with: every frame since the stream's latest video
/// keyframe (or the last `audioOnlySeconds` of an audio-only stream), so that a `record` issued
/// while the stream is live starts at that keyframe instead of waiting for the next one.
///
/// A live stream holds one only while none of its recordings runs: the first recording to
/// attach takes the frames into its own `StartGate` and the stream lets go of them; once the
/// last recording has ended it fills again from the next keyframe. So a stream that records
/// holds no GOP beside its recording's gate (memory: 50 streams at 8 Mbps with 2 s GOPs would
/// otherwise hold ~100 MB).
struct PrerollBuffer {
    /// A GOP longer than this is not held whole (a 10 s GOP at 50 Mbps is ~60 MiB).
    static let maxBytes = 64 << 20
    /// Audio-only streams keep this much media for a late record.
    static let audioOnlySeconds = 1.0

    private(set) var frames: [MediaFrame] = []
    private(set) var bytes = 0

    /// A frame of `track`, in arrival order.
    mutating func append(_ frame: MediaFrame, track: TrackDescription, streamHasVideo: Bool) {
        if track.kind == .video && frame.isKeyframe {
            removeAll()
        } else if !streamHasVideo, let first = frames.first,
                  Double(frame.dts - first.dts) / Double(track.timescale) > Self.audioOnlySeconds {
            bytes -= frames.removeFirst().payload.count
        }
        if streamHasVideo && frames.isEmpty && !(track.kind == .video && frame.isKeyframe) { return }  // no keyframe yet
        guard bytes + frame.payload.count <= Self.maxBytes else {
            // Too long a GOP to hold: a late record waits for the next keyframe.
            removeAll()
            return
        }
        frames.append(frame)
        bytes += frame.payload.count
    }

    /// Lets go of every frame (a recording took them, or the GOP ended).
    mutating func removeAll() {
        frames = []
        bytes = 0
    }
}
