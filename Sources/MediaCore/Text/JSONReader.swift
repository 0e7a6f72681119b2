/// A strict recursive-descent reader of one JSON text (RFC 8259) in bytes, for the formats the
/// project writes itself and reads back fast (the catalog journal's lines). Returns nil for
/// anything malformed or nested deeper than `maxDepth`; no partial values.
public struct JSONReader {
    private let bytes: ArraySlice<UInt8>
    private var index: Int
    private let maxDepth: Int
    private var depth = 0

    /// `maxDepth`: how many objects and arrays may nest; the caller knows its format's depth,
    /// and a bound keeps a hostile line from exhausting the stack.
    public init(_ bytes: ArraySlice<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.index = bytes.startIndex
        self.maxDepth = maxDepth
    }

    /// The one value the bytes hold, with nothing but white space after it; nil otherwise.
    public static func value(of bytes: ArraySlice<UInt8>, maxDepth: Int) -> JSONValue? {
        var reader = JSONReader(bytes, maxDepth: maxDepth)
        guard let value = reader.value(), reader.atEnd else { return nil }
        return value
    }

    private var atEnd: Bool {
        var reader = self
        reader.skipSpace()
        return reader.index == bytes.endIndex
    }

    private mutating func value() -> JSONValue? {
        skipSpace()
        guard index < bytes.endIndex else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return string().map(JSONValue.string)
        case UInt8(ascii: "n"): return literal("null", .null)
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        default: return number()
        }
    }

    private mutating func object() -> JSONValue? {
        var fields: [String: JSONValue] = [:]
        let complete = members(closedBy: UInt8(ascii: "}")) { reader in
            reader.skipSpace()
            guard reader.index < reader.bytes.endIndex, reader.bytes[reader.index] == UInt8(ascii: "\""),
                  let key = reader.string() else { return false }
            reader.skipSpace()
            guard reader.index < reader.bytes.endIndex, reader.bytes[reader.index] == UInt8(ascii: ":") else { return false }
            reader.index += 1
            guard let v = reader.value() else { return false }
            fields[key] = v
            return true
        }
        return complete ? .object(fields) : nil
    }

    private mutating func array() -> JSONValue? {
        var items: [JSONValue] = []
        let complete = members(closedBy: UInt8(ascii: "]")) { reader in
            guard let v = reader.value() else { return false }
            items.append(v)
            return true
        }
        return complete ? .array(items) : nil
    }

    /// From an opening bracket to its `close`: `member` reads each comma-separated member
    /// (false: malformed). One level deeper; false past `maxDepth`.
    private mutating func members(closedBy close: UInt8, _ member: (inout JSONReader) -> Bool) -> Bool {
        depth += 1
        defer { depth -= 1 }
        guard depth <= maxDepth else { return false }
        index += 1
        skipSpace()
        if index < bytes.endIndex, bytes[index] == close { index += 1; return true }
        while true {
            guard member(&self) else { return false }
            skipSpace()
            guard index < bytes.endIndex else { return false }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            guard bytes[index] == close else { return false }
            index += 1
            return true
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
                    out += UTF8.encode(unicode)!
                default: return nil
                }
            case 0..<0x20:
                return nil  // RFC 8259 section 7: controls only escaped
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

    /// An integer when the text is one (exactly, never through a Double), else a Double.
    private mutating func number() -> JSONValue? {
        let start = index
        while index < bytes.endIndex, Self.isNumberByte(bytes[index]) { index += 1 }
        guard index > start, bytes[start] != UInt8(ascii: "+"),
              let text = String(validating: bytes[start..<index], as: UTF8.self) else { return nil }
        if let integer = Int(text) { return .int(integer) }
        return Double(text).map(JSONValue.double)
    }

    private static func isNumberByte(_ b: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
            || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
    }

    private mutating func literal(_ word: String, _ value: JSONValue) -> JSONValue? {
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
