/// Which frames a live recording drops while its writer is behind (the disk stalls and the
/// recording's queue is full), and when it writes again.
///
/// The newest frame is the one dropped: what is queued already reaches the file in order.
/// Once a frame is dropped, every later frame is too until a video keyframe that fits in the
/// queue (any frame that fits, when the stream has no video): a P-frame whose reference was
/// dropped cannot be decoded, and audio without its pictures would only leave a silent hole
/// of a different length. The file then goes on from that keyframe, with a gap in time.
struct BacklogGate: Equatable {
    /// Frames dropped in one stretch.
    struct DroppedRun: Equatable, Sendable {
        var frames = 0
        var bytes = 0
    }

    enum Decision: Equatable {
        case write
        case drop
        /// Write this frame: the first after the dropped run, which is over.
        case resume(after: DroppedRun)
    }

    /// The run being dropped now; nil while frames are written.
    private(set) var dropping: DroppedRun?

    /// `fits`: the writer's queue has room for the frame now.
    mutating func decide(bytes: Int, isVideo: Bool, isKeyframe: Bool, streamHasVideo: Bool, fits: Bool) -> Decision {
        guard var run = dropping else {
            if fits { return .write }
            dropping = DroppedRun(frames: 1, bytes: bytes)
            return .drop
        }
        if fits && (streamHasVideo ? isVideo && isKeyframe : true) {
            dropping = nil
            return .resume(after: run)
        }
        run.frames += 1
        run.bytes += bytes
        dropping = run
        return .drop
    }

    /// Ends the file: the run dropped up to its end, if any. The next file starts at a keyframe
    /// anyway, so the gate starts afresh.
    mutating func endOfFile() -> DroppedRun? {
        defer { dropping = nil }
        return dropping
    }
}
