/// Writes `JSONValue`s as RFC 8259 text: object keys sorted (stable bytes for equal values),
/// strings escaped as section 7 requires. One line by default; `indented` puts each member on
/// a line of its own for people. The one JSON writer of the project: the API's answers and
/// events, the catalog journal's lines, mp4writer's `--json`.
public enum JSONWriter {
    /// The text of `value` on one line (strings escape every control character, so it never
    /// holds a raw line break: the line CLI and the catalog journal rely on that).
    public static func text(of value: JSONValue, indented: Bool = false) -> String {
        String(decoding: bytes(of: value, indented: indented), as: UTF8.self)
    }

    public static func bytes(of value: JSONValue, indented: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        write(value, to: &out, indentation: indented ? 0 : nil)
        return out
    }

    /// Appends `value` to `out`; `indentation` is the depth when indenting, nil for one line.
    public static func write(_ value: JSONValue, to out: inout [UInt8], indentation: Int? = nil) {
        switch value {
        case .null: out += "null".utf8
        case .bool(let b): out += (b ? "true" : "false").utf8
        case .int(let n): out += String(n).utf8
        case .double(let d):
            // RFC 8259 section 6: NaN and infinities are not permitted.
            out += (d.isFinite ? String(d) : "null").utf8
        case .string(let s): writeString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(to: &out, depth: indentation.map { $0 + 1 })
                write(item, to: &out, indentation: indentation.map { $0 + 1 })
            }
            if !items.isEmpty { newline(to: &out, depth: indentation) }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, key) in members.keys.sorted().enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(to: &out, depth: indentation.map { $0 + 1 })
                writeString(key, to: &out)
                out += (indentation == nil ? ":" : ": ").utf8
                write(members[key]!, to: &out, indentation: indentation.map { $0 + 1 })
            }
            if !members.isEmpty { newline(to: &out, depth: indentation) }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(to out: inout [UInt8], depth: Int?) {
        guard let depth else { return }
        out.append(UInt8(ascii: "\n"))
        out += repeatElement(UInt8(ascii: " "), count: 2 * depth)
    }

    /// A JSON string. RFC 8259 section 7: quotation mark, reverse solidus and U+0000...U+001F
    /// must be escaped. U+2028 and U+2029 are escaped as well (legal JSON, but line terminators
    /// to JavaScript and some line-oriented readers), and U+FEFF (some readers drop it as a
    /// byte order mark, even inside a string). Everything else is written as UTF-8.
    public static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += #"\""#.utf8
            case "\\": out += #"\\"#.utf8
            case "\n": out += #"\n"#.utf8
            case "\r": out += #"\r"#.utf8
            case "\t": out += #"\t"#.utf8
            case "\u{08}": out += #"\b"#.utf8
            case "\u{0C}": out += #"\f"#.utf8
            case "\u{00}"..."\u{1F}", "\u{2028}", "\u{2029}", "\u{FEFF}":
                out += #"\u"#.utf8
                for shift in stride(from: 12, through: 0, by: -4) {
                    out.append(hexDigits[Int((scalar.value >> UInt32(shift)) & 0xF)])
                }
            default:
                out += UTF8.encode(scalar)!
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
