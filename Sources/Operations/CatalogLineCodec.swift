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
        var parser = Parser(bytes: line, index: line.startIndex)
        guard let value = parser.value(), parser.atEnd, case .object(let fields) = value,
              case .string(let file)? = fields["file"], case .string(let stream)? = fields["localStreamName"],
              let start = fields["startTime"]?.double, let duration = fields["duration"]?.double,
              let bytes = fields["bytes"]?.unsigned, case .string(let stateName)? = fields["state"],
              let state = RecordingState(rawValue: stateName), case .array(let trackValues)? = fields["tracks"] else { return nil }
        var configId: Int?
        if let value = fields["configId"], value != .null {
            guard let id = value.integer else { return nil }
            configId = id
        }
        var tracks: [RecordingTrack] = []
        for value in trackValues {
            guard case .object(let t) = value, case .string(let codec)? = t["codec"] else { return nil }
            tracks.append(RecordingTrack(codec: codec, width: t["width"]?.integer, height: t["height"]?.integer,
                                         sampleRate: t["sampleRate"]?.integer, channels: t["channels"]?.integer))
        }
        return RecordingEntry(file: file, localStreamName: stream, configId: configId, startTime: start, duration: duration,
                              bytes: bytes, tracks: tracks, state: state)
    }

    private static func append(_ text: String, to out: inout [UInt8]) {
        out.append(contentsOf: text.utf8)
    }

    /// RFC 8259 section 7: quotation mark, reverse solidus and controls escaped; the rest UTF-8.
    private static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append("\\\"", to: &out)
            case UInt8(ascii: "\\"): append("\\\\", to: &out)
            case UInt8(ascii: "\n"): append("\\n", to: &out)
            case UInt8(ascii: "\r"): append("\\r", to: &out)
            case UInt8(ascii: "\t"): append("\\t", to: &out)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The JSON values a line holds. Numbers keep their text: an integer is read as one, never
    /// through a Double.
    enum Value: Equatable {
        case null, bool(Bool), number(String), string(String), array([Value]), object([String: Value])

        var double: Double? { if case .number(let t) = self { return Double(t) } else { return nil } }
        var integer: Int? { if case .number(let t) = self { return Int(t) } else { return nil } }
        var unsigned: UInt64? { if case .number(let t) = self { return UInt64(t) } else { return nil } }
    }

    /// A strict recursive-descent reader of one JSON text (no nesting deeper than a line
    /// needs: objects in an array in an object).
    struct Parser {
        let bytes: ArraySlice<UInt8>
        var index: Int
        /// An entry nests three levels; more is not a catalog line.
        static var maxDepth: Int { 4 }
        private var depth = 0

        init(bytes: ArraySlice<UInt8>, index: Int) {
            self.bytes = bytes
            self.index = index
        }

        var atEnd: Bool {
            var i = index
            while i < bytes.endIndex, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D { i += 1 }
            return i == bytes.endIndex
        }

        mutating func value() -> Value? {
            skipSpace()
            guard index < bytes.endIndex else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "{"): return object()
            case UInt8(ascii: "["): return array()
            case UInt8(ascii: "\""): return string().map(Value.string)
            case UInt8(ascii: "n"): return literal("null", .null)
            case UInt8(ascii: "t"): return literal("true", .bool(true))
            case UInt8(ascii: "f"): return literal("false", .bool(false))
            default: return number()
            }
        }

        private mutating func object() -> Value? {
            depth += 1
            defer { depth -= 1 }
            guard depth <= Self.maxDepth else { return nil }
            index += 1
            var fields: [String: Value] = [:]
            skipSpace()
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(fields) }
            while true {
                skipSpace()
                guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "\""), let key = string() else { return nil }
                skipSpace()
                guard index < bytes.endIndex, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                guard let v = value() else { return nil }
                fields[key] = v
                skipSpace()
                guard index < bytes.endIndex else { return nil }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                guard bytes[index] == UInt8(ascii: "}") else { return nil }
                index += 1
                return .object(fields)
            }
        }

        private mutating func array() -> Value? {
            depth += 1
            defer { depth -= 1 }
            guard depth <= Self.maxDepth else { return nil }
            index += 1
            var items: [Value] = []
            skipSpace()
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            while true {
                guard let v = value() else { return nil }
                items.append(v)
                skipSpace()
                guard index < bytes.endIndex else { return nil }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                guard bytes[index] == UInt8(ascii: "]") else { return nil }
                index += 1
                return .array(items)
            }
        }

        /// A string from its opening quote; escapes decoded (surrogate pairs joined).
        private mutating func string() -> String? {
            index += 1
            var out: [UInt8] = []
            while index < bytes.endIndex {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(validating: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard index < bytes.endIndex else { return nil }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        guard var scalar = hex4() else { return nil }
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard index + 1 < bytes.endIndex, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { return nil }
                            index += 2
                            guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let unicode = Unicode.Scalar(scalar) else { return nil }
                        out += Array(String(Character(unicode)).utf8)
                    default: return nil
                    }
                case 0..<0x20:
                    return nil
                default:
                    out.append(byte)
                }
            }
            return nil
        }

        private mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.endIndex else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[index]
                index += 1
                let digit: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }

        private mutating func number() -> Value? {
            let start = index
            while index < bytes.endIndex, Self.isNumberByte(bytes[index]) { index += 1 }
            guard index > start, let text = String(validating: bytes[start..<index], as: UTF8.self), Double(text) != nil else { return nil }
            return .number(text)
        }

        private static func isNumberByte(_ b: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
                || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
        }

        private mutating func literal(_ word: String, _ value: Value) -> Value? {
            for expected in word.utf8 {
                guard index < bytes.endIndex, bytes[index] == expected else { return nil }
                index += 1
            }
            return value
        }

        private mutating func skipSpace() {
            while index < bytes.endIndex {
                let b = bytes[index]
                guard b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D else { return }
                index += 1
            }
        }
    }
}
