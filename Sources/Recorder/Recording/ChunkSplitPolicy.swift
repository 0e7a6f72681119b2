import MediaCore

/// When a recording closes its file and opens the next (record parameters `chunkLength`,
/// `waitForIDR`, `winQtCompat`).
struct ChunkSplitPolicy {
    /// winQtCompat: start a new part before the payload reaches what 32-bit offsets address,
    /// with room for the moov and the header (a 4-hour 10 Mbps chunk has a moov under 8 MiB).
    static let winQtPayloadLimit: UInt64 = UInt64(UInt32.max) - (64 << 20)

    let chunkLength: Int
    let waitForIDR: Bool
    let winQtCompat: Bool

    init(parameters: RecordParameters) {
        chunkLength = parameters.chunkLength
        waitForIDR = parameters.waitForIDR
        winQtCompat = parameters.winQtCompat
    }

    /// True when `frame` must start a new file. `opening` is the open file's first frame (in
    /// `openingScale`), `payloadBytes` what its writer holds (nil before its writer exists).
    func shouldSplit(before frame: MediaFrame, track: TrackDescription, opening: MediaFrame, openingScale: UInt32,
                     payloadBytes: UInt64?, streamHasVideo: Bool) -> Bool {
        if winQtCompat, let payloadBytes, payloadBytes + UInt64(frame.payload.count) > Self.winQtPayloadLimit {
            return true
        }
        guard chunkLength > 0 else { return false }
        let start = TimescaleConversion.rescale(opening.pts, from: openingScale, to: track.timescale)
        let elapsed = Double(frame.pts - start) / Double(track.timescale)
        guard elapsed >= Double(chunkLength) else { return false }
        if waitForIDR && streamHasVideo {
            return track.kind == .video && frame.isKeyframe
        }
        return true
    }
}
