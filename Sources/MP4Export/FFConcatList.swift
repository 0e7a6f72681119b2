/// An ffconcat script (ffmpeg's concat demuxer, `ffconcat version 1.0`): the recordings to
/// play one after the other, the first and last cut with `inpoint`/`outpoint` when a range
/// was asked. No `duration` lines: the concat demuxer then takes each file's own length,
/// while a catalog duration (rounded, or shorter than the video's last frame) would shift
/// the next file's timestamps.
public struct FFConcatList: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        /// A URL relative to the list's own (ffmpeg resolves it so), or absolute.
        public var url: String
        public var inpoint: Double?
        public var outpoint: Double?

        public init(url: String, inpoint: Double? = nil, outpoint: Double? = nil) {
            self.url = url
            self.inpoint = inpoint
            self.outpoint = outpoint
        }
    }

    public var items: [Item]

    public init(items: [Item]) { self.items = items }

    public var text: String {
        var lines = ["ffconcat version 1.0"]
        for item in items {
            // Single quotes: the URLs are percent-encoded, so they hold none.
            lines.append("file '\(item.url)'")
            if let inpoint = item.inpoint { lines.append("inpoint \(Self.seconds(inpoint))") }
            if let outpoint = item.outpoint { lines.append("outpoint \(Self.seconds(outpoint))") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Milliseconds precision, without a locale (no Foundation in this module).
    static func seconds(_ value: Double) -> String {
        let millis = Int64((max(0, value) * 1000).rounded())
        let fraction = String(millis % 1000)
        return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
