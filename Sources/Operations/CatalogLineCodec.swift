import MediaCore

/// The catalog journal's line format, written and read by hand: JSONEncoder and JSONDecoder
/// cost 50-60 µs a line, which is seconds at every start with 100,000 recordings; this costs
/// a few. The text is the same JSON `JSONEncoder` (sorted keys, slashes unescaped) writes for a
/// `RecordingEntry`, so either can read what the other wrote; a line this reader does not
/// take is handed to `JSONDecoder` by the journal.
///
/// ```
/// {"bytes":418103,"configId":1,"duration":1.984,"file":"/srv/media/cam1_part0001.mp4",
///  "localStreamName":"cam1","startTime":1796283109.6834838,"state":"finalized",
///  "tracks":[{"codec":"h264","height":360,"width":640},{"channels":1,"codec":"aac","sampleRate":48000}]}
/// ```
enum CatalogLineCodec {
    static func encode(_ entry: RecordingEntry) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + 64 * entry.tracks.count)
        append("{\"bytes\":\(entry.bytes)", to: &out)
        if let id = entry.configId { append(",\"configId\":\(id)", to: &out) }
        append(",\"duration\":\(entry.duration),\"file\":", to: &out)
        appendString(entry.file, to: &out)
        append(",\"localStreamName\":", to: &out)
        appendString(entry.localStreamName, to: &out)
        append(",\"startTime\":\(entry.startTime),\"state\":\"\(entry.state.rawValue)\",\"tracks\":[", to: &out)
        for (index, track) in entry.tracks.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            if let channels = track.channels { append("\"channels\":\(channels),", to: &out) }
            append("\"codec\":", to: &out)
            appendString(track.codec, to: &out)
            if let height = track.height { append(",\"height\":\(height)", to: &out) }
            if let rate = track.sampleRate { append(",\"sampleRate\":\(rate)", to: &out) }
            if let width = track.width { append(",\"width\":\(width)", to: &out) }
            out.append(UInt8(ascii: "}"))
        }
        append("]}", to: &out)
        return out
    }

    /// The entry of one line; nil for anything this reader does not take.
    static func decode(_ line: ArraySlice<UInt8>) -> RecordingEntry? {
        guard case .object(let fields)? = JSONReader.value(of: line, maxDepth: maxDepth),
              let file = fields["file"]?.stringValue, let stream = fields["localStreamName"]?.stringValue,
              let start = fields["startTime"]?.doubleValue, let duration = fields["duration"]?.doubleValue,
              let bytes = fields["bytes"]?.intValue.flatMap({ UInt64(exactly: $0) }), let stateName = fields["state"]?.stringValue,
              let state = RecordingState(rawValue: stateName), case .array(let trackValues)? = fields["tracks"] else { return nil }
        var configId: Int?
        if let value = fields["configId"], value != .null {
            guard let id = value.intValue else { return nil }
            configId = id
        }
        var tracks: [RecordingTrack] = []
        for value in trackValues {
            guard case .object(let t) = value, let codec = t["codec"]?.stringValue else { return nil }
            tracks.append(RecordingTrack(codec: codec, width: t["width"]?.intValue, height: t["height"]?.intValue,
                                         sampleRate: t["sampleRate"]?.intValue, channels: t["channels"]?.intValue))
        }
        return RecordingEntry(file: file, localStreamName: stream, configId: configId, startTime: start, duration: duration,
                              bytes: bytes, tracks: tracks, state: state)
    }

    /// An entry nests three levels (objects in an array in an object); more is not a catalog line.
    static let maxDepth = 4

    private static func append(_ text: String, to out: inout [UInt8]) {
        out.append(contentsOf: text.utf8)
    }

    private static func appendString(_ text: String, to out: inout [UInt8]) {
        JSONWriter.writeString(text, to: &out)
    }
}
