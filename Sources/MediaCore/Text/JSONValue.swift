/// A JSON value (RFC 8259), as the API answers it and `JSONReader` reads it. Objects are
/// dictionaries: `JSONWriter` writes their keys sorted, so the same answer always has the same
/// bytes (and the EMS examples list their keys in that order too). Integers stay integers: a
/// number read without a fraction or exponent is `.int`, never a Double.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The text of this value on one line (strings escape every control character, so the
    /// result never contains a raw line break: the line CLI relies on that).
    public var text: String { JSONWriter.text(of: self) }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// `.string(value)`, or `.null` when there is none.
    public init(_ value: String?) { self = value.map(JSONValue.string) ?? .null }
}

extension JSONValue {
    /// A number as a Double (integers too); nil for anything else.
    public var doubleValue: Double? {
        switch self {
        case .int(let n): return Double(n)
        case .double(let d): return d
        default: return nil
        }
    }

    /// An integer; nil for anything else, fractions included.
    public var intValue: Int? { if case .int(let n) = self { return n } else { return nil } }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
}
