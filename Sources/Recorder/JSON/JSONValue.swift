/// A JSON value as the API answers it (RFC 8259). Objects are dictionaries: `JSONWriter` writes
/// their keys sorted, so the same answer always has the same bytes (and the EMS examples list
/// their keys in that order too).
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
