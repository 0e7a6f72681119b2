import MediaCore

/// Decode timestamps for a video track whose packets carry presentation times only (RTP).
/// Frames arrive in decoding order; `PictureOrder` gives each its place in presentation order
/// (the H.264/H.265 picture order count) and the stream's reorder depth R (declared in the SPS,
/// raised when a frame shows more reordering). With R, the frame decoded n-th gets the
/// presentation time of the frame shown (n - R)-th: in a stream that reorders by at most R,
/// every frame shown up to (n - R)-th has arrived by then, and none is shown before it is
/// decoded, so decode times strictly increase and never pass presentation times (what MP4 needs,
/// and the usual form: ctts offsets of whole frames). The first R frames are put a frame step
/// apart before the first shown one. Streams without reordering come out with dts == pts.
///
/// It holds R frames. A stream that breaks its own declaration (lost frames, a lying SPS) is
/// clamped: decode times never go back and, where they can, stay at or before the frame's
/// presentation time.
struct DecodeTimeline: Sendable {
    /// A reorder deeper than the largest DPB (16 frames, H.264 A.3.1 and H.265 A.4.2) is damage.
    static let maxDepth = 16

    private var held: [MediaFrame] = []
    /// Frames not yet given a rank, in presentation order.
    private var pending: [(order: PictureOrder.Key, pts: Int64)] = []
    /// The latest ranks given, oldest first (at most `maxDepth` + 1 kept).
    private var ranked: [(order: PictureOrder.Key, pts: Int64)] = []
    private var depth = 0
    private var emitted = 0
    private var firstRankPTS: Int64?
    private var startStep: Int64 = 1
    private var lastDTS: Int64?

    mutating func push(_ frame: MediaFrame, order: PictureOrder.Key, declaredDepth: Int?) -> [MediaFrame] {
        // This frame's own reordering: frames decoded before it that are shown after it.
        let shownLater = pending.filter { $0.order > order }.count + ranked.filter { $0.order > order }.count
        depth = min(Self.maxDepth, max(depth, declaredDepth ?? 0, shownLater))
        held.append(frame)
        let i = pending.firstIndex { $0.order > order } ?? pending.count
        pending.insert((order, frame.pts), at: i)
        var out: [MediaFrame] = []
        while held.count > depth { out.append(emitFirst()) }
        return out
    }

    /// The frames still held, at the end of the stream.
    mutating func finish() -> [MediaFrame] {
        var out: [MediaFrame] = []
        while !held.isEmpty { out.append(emitFirst()) }
        return out
    }

    private mutating func emitFirst() -> MediaFrame {
        var frame = held.removeFirst()
        let rank = pending.removeFirst()
        if firstRankPTS == nil {
            firstRankPTS = rank.pts
            // The frame step, for the frames decoded before the first shown one.
            let times = ([rank.pts] + pending.map(\.pts)).sorted()
            startStep = zip(times.dropFirst(), times).map { $0 - $1 }.filter { $0 > 0 }.min() ?? 1
        }
        ranked.append(rank)
        if ranked.count > Self.maxDepth + 1 { ranked.removeFirst() }
        let n = emitted
        emitted += 1
        var dts = n >= depth && ranked.count > depth ? ranked[ranked.count - 1 - depth].pts
            : firstRankPTS! - Int64(depth - n) * startStep
        dts = min(dts, frame.pts)
        if let last = lastDTS, dts <= last { dts = last + 1 }
        lastDTS = dts
        frame.dts = dts
        return frame
    }
}
