/// A value of Action Message Format 0 (Adobe AMF0 specification, 2007): the encoding of
/// FLV script data (onMetaData) and of RTMP command and data messages.
///
/// Objects and ECMA arrays keep their properties in order, because order is visible on the
/// wire (round trips give the same bytes) and some peers depend on it.
public indirect enum AMF0Value: Sendable, Equatable {
    /// 0x00: an IEEE 754 double.
    case number(Double)
    /// 0x01.
    case boolean(Bool)
    /// 0x02 (UTF-8 up to 65535 bytes), or 0x0C long string when longer; both decode to this.
    case string(String)
    /// 0x03: anonymous object, properties until the object-end marker.
    case object([Property])
    /// 0x05.
    case null
    /// 0x06.
    case undefined
    /// 0x08: associative array with a count (a hint only; the end marker ends it).
    case ecmaArray([Property])
    /// 0x0A: dense array with a count.
    case strictArray([AMF0Value])
    /// 0x0B: milliseconds since 1970-01-01 UTC and a time zone (reserved, should be 0).
    case date(millisecondsSince1970: Double, timeZone: Int16)

    /// One named member of an object or ECMA array.
    public struct Property: Sendable, Equatable {
        public var name: String
        public var value: AMF0Value

        public init(_ name: String, _ value: AMF0Value) {
            self.name = name
            self.value = value
        }
    }

    /// The type marker that starts the value's encoding (2.1).
    public enum Marker: UInt8, Sendable {
        case number = 0x00, boolean = 0x01, string = 0x02, object = 0x03, movieClip = 0x04
        case null = 0x05, undefined = 0x06, reference = 0x07, ecmaArray = 0x08, objectEnd = 0x09
        case strictArray = 0x0A, date = 0x0B, longString = 0x0C, unsupported = 0x0D
        case recordSet = 0x0E, xmlDocument = 0x0F, typedObject = 0x10, avmPlusObject = 0x11
    }
}

extension AMF0Value {
    /// The properties of an object or ECMA array, nil for other values.
    public var properties: [Property]? {
        switch self {
        case let .object(properties), let .ecmaArray(properties): return properties
        default: return nil
        }
    }

    /// The properties as a dictionary (a repeated name keeps its last value).
    public var dictionary: [String: AMF0Value]? {
        properties.map { Dictionary($0.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }) }
    }

    /// The value of the property `name` of an object or ECMA array.
    public subscript(name: String) -> AMF0Value? {
        properties?.last { $0.name == name }?.value
    }

    public var number: Double? {
        if case let .number(value) = self { return value }
        return nil
    }

    public var string: String? {
        if case let .string(value) = self { return value }
        return nil
    }

    public var boolean: Bool? {
        if case let .boolean(value) = self { return value }
        return nil
    }
}
