/// An HLS VOD media playlist (RFC 8216) over fragmented MP4: the init segment in
/// `#EXT-X-MAP`, then one media segment per chunk with its duration.
public struct HLSPlaylist: Sendable, Equatable {
    public var initURL: String
    /// Segment URLs (relative to the playlist's) and their durations in seconds.
    public var segments: [(url: String, duration: Double)]

    public init(initURL: String, segments: [(url: String, duration: Double)]) {
        self.initURL = initURL
        self.segments = segments
    }

    public static func == (a: HLSPlaylist, b: HLSPlaylist) -> Bool {
        a.initURL == b.initURL && a.segments.map(\.url) == b.segments.map(\.url) && a.segments.map(\.duration) == b.segments.map(\.duration)
    }

    public var text: String {
        // 4.3.3.1: the target duration is the longest segment, rounded to the nearest second.
        let target = Int((segments.map(\.duration).max() ?? 1).rounded())
        var lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:\(max(1, target))", "#EXT-X-PLAYLIST-TYPE:VOD",
                     "#EXT-X-INDEPENDENT-SEGMENTS", "#EXT-X-MAP:URI=\"\(initURL)\""]
        for segment in segments {
            lines.append("#EXTINF:\(FFConcatList.seconds(segment.duration)),")
            lines.append(segment.url)
        }
        lines.append("#EXT-X-ENDLIST")
        return lines.joined(separator: "\n") + "\n"
    }
}
