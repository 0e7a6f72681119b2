import MediaCore

/// Encodes AMF0 values (Adobe AMF0 specification) into a `ByteWriter`. Strings longer than
/// 65535 UTF-8 bytes become long strings (0x0C). Numbers always take 9 bytes, which is what
/// lets FLV's writer patch onMetaData's duration and filesize in place.
public enum AMF0Encoder {
    /// Writes `value` after whatever `writer` holds.
    public static func encode(_ value: AMF0Value, to writer: inout ByteWriter) throws(AMF0Error) {
        switch value {
        case let .number(number):
            writer.write(AMF0Value.Marker.number.rawValue)
            writer.write(number.bitPattern)
        case let .boolean(flag):
            writer.write(AMF0Value.Marker.boolean.rawValue)
            writer.write(UInt8(flag ? 1 : 0))
        case let .string(string):
            let utf8 = Array(string.utf8)
            if utf8.count <= Int(UInt16.max) {
                writer.write(AMF0Value.Marker.string.rawValue)
                writer.write(UInt16(utf8.count))
            } else {
                writer.write(AMF0Value.Marker.longString.rawValue)
                writer.write(UInt32(truncatingIfNeeded: utf8.count))
            }
            writer.write(bytes: utf8)
        case let .object(properties):
            writer.write(AMF0Value.Marker.object.rawValue)
            try encode(properties, to: &writer)
        case .null:
            writer.write(AMF0Value.Marker.null.rawValue)
        case .undefined:
            writer.write(AMF0Value.Marker.undefined.rawValue)
        case let .ecmaArray(properties):
            writer.write(AMF0Value.Marker.ecmaArray.rawValue)
            writer.write(UInt32(truncatingIfNeeded: properties.count))
            try encode(properties, to: &writer)
        case let .strictArray(values):
            writer.write(AMF0Value.Marker.strictArray.rawValue)
            writer.write(UInt32(truncatingIfNeeded: values.count))
            for element in values { try encode(element, to: &writer) }
        case let .date(milliseconds, timeZone):
            writer.write(AMF0Value.Marker.date.rawValue)
            writer.write(milliseconds.bitPattern)
            writer.write(UInt16(bitPattern: timeZone))
        }
    }

    /// The encoding of `values`, one after another.
    public static func encode(_ values: [AMF0Value]) throws(AMF0Error) -> [UInt8] {
        var writer = ByteWriter()
        for value in values { try encode(value, to: &writer) }
        return writer.bytes
    }

    /// A property name: the 16-bit length and UTF-8 bytes of 2.5, without a type marker.
    public static func encodeName(_ name: String, to writer: inout ByteWriter) throws(AMF0Error) {
        let utf8 = Array(name.utf8)
        guard utf8.count <= Int(UInt16.max) else { throw .nameTooLong(length: utf8.count) }
        writer.write(UInt16(utf8.count))
        writer.write(bytes: utf8)
    }

    /// The end of an object or ECMA array: an empty name and the object-end marker.
    public static func encodeObjectEnd(to writer: inout ByteWriter) {
        writer.write(UInt16(0))
        writer.write(AMF0Value.Marker.objectEnd.rawValue)
    }

    private static func encode(_ properties: [AMF0Value.Property], to writer: inout ByteWriter) throws(AMF0Error) {
        for property in properties {
            try encodeName(property.name, to: &writer)
            try encode(property.value, to: &writer)
        }
        encodeObjectEnd(to: &writer)
    }
}
