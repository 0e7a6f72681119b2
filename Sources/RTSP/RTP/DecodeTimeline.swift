import MediaCore

/// Decode timestamps for a video track whose packets carry presentation times only (RTP):
/// frames arrive in decode order, so the decode times are the presentation times sorted,
/// shifted back by the stream's reorder delay so that no frame is decoded after it is shown
/// (MP4 needs dts <= pts, strictly increasing dts). B-frame streams get a valid ctts; streams
/// without reordering come out with dts == pts.
///
/// It holds `reorderWindow` frames: a presentation time further out of order than that is
/// clamped (dts never passes pts, never goes back).
struct DecodeTimeline: Sendable {
    /// x264's and x265's deepest B-pyramids reorder by 2-4 frames.
    static let reorderWindow = 4

    private var held: [MediaFrame] = []
    /// Presentation times of frames held or emitted whose rank has not been used yet, sorted.
    private var pending: [Int64] = []
    private var delay: Int64?
    private var lastDTS: Int64?

    mutating func push(_ frame: MediaFrame) -> [MediaFrame] {
        held.append(frame)
        let i = pending.firstIndex { $0 > frame.pts } ?? pending.count
        pending.insert(frame.pts, at: i)
        guard held.count > Self.reorderWindow else { return [] }
        return [emitFirst()]
    }

    /// The frames still held, at the end of the stream.
    mutating func finish() -> [MediaFrame] {
        var out: [MediaFrame] = []
        while !held.isEmpty { out.append(emitFirst()) }
        return out
    }

    private mutating func emitFirst() -> MediaFrame {
        if delay == nil {
            // The reorder delay from the first window: how far the sorted times run ahead of
            // the frames in decode order.
            delay = zip(pending, held.map(\.pts)).map { $0 - $1 }.max().map { max(0, $0) } ?? 0
        }
        var frame = held.removeFirst()
        var dts = pending.removeFirst() - delay!
        dts = min(dts, frame.pts)
        if let last = lastDTS, dts <= last { dts = last + 1 }
        lastDTS = dts
        frame.dts = dts
        return frame
    }
}
