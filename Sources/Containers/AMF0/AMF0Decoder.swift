import MediaCore

/// Decodes AMF0 values (Adobe AMF0 specification) from bytes, one after another:
///
/// ```swift
/// var decoder = AMF0Decoder(body)
/// let name = try decoder.decode()          // "onMetaData"
/// let metadata = try decoder.decode()      // an ECMA array
/// ```
public struct AMF0Decoder: Sendable {
    /// Real metadata and RTMP commands nest two or three levels; a deeper value is hostile and
    /// would otherwise drive the recursion as deep as the input is long.
    public static let maxDepth = 32

    private var reader: ByteReader

    public init(_ bytes: [UInt8]) {
        reader = ByteReader(bytes)
    }

    public var isAtEnd: Bool { reader.isAtEnd }
    /// Offset of the next value.
    public var position: Int { reader.position }

    /// The next value.
    public mutating func decode() throws(AMF0Error) -> AMF0Value {
        try decodeValue(depth: 0)
    }

    /// Every value up to the end of the bytes.
    public static func decodeAll(_ bytes: [UInt8]) throws(AMF0Error) -> [AMF0Value] {
        var decoder = AMF0Decoder(bytes)
        var values: [AMF0Value] = []
        while !decoder.isAtEnd { values.append(try decoder.decode()) }
        return values
    }

    private mutating func decodeValue(depth: Int) throws(AMF0Error) -> AMF0Value {
        let at = reader.position
        guard depth <= Self.maxDepth else { throw .tooDeep(at: at) }
        let markerByte = try read(UInt8.self)
        guard let marker = AMF0Value.Marker(rawValue: markerByte) else { throw .unsupportedMarker(markerByte, at: at) }
        switch marker {
        case .number:
            return .number(Double(bitPattern: try read(UInt64.self)))
        case .boolean:
            return .boolean(try read(UInt8.self) != 0)
        case .string:
            return .string(try readString(length: Int(try read(UInt16.self))))
        case .longString, .xmlDocument:
            return .string(try readString(length: Int(try read(UInt32.self))))
        case .object:
            return .object(try readProperties(depth: depth))
        case .null:
            return .null
        case .undefined, .unsupported:
            return .undefined
        case .ecmaArray:
            _ = try read(UInt32.self)  // associative-count: a hint; the end marker decides (2.10)
            return .ecmaArray(try readProperties(depth: depth))
        case .strictArray:
            let count = Int(try read(UInt32.self))
            // Every value takes at least its marker byte.
            guard count <= reader.remaining else {
                throw .countExceedsData(count: count, remaining: reader.remaining, at: at)
            }
            var values: [AMF0Value] = []
            values.reserveCapacity(count)
            for _ in 0..<count { values.append(try decodeValue(depth: depth + 1)) }
            return .strictArray(values)
        case .date:
            let milliseconds = Double(bitPattern: try read(UInt64.self))
            return .date(millisecondsSince1970: milliseconds, timeZone: Int16(bitPattern: try read(UInt16.self)))
        case .movieClip, .reference, .objectEnd, .recordSet, .typedObject, .avmPlusObject:
            throw .unsupportedMarker(markerByte, at: at)
        }
    }

    /// Properties until the empty name followed by the object-end marker (2.5). Data that
    /// ends first is truncated, like any other value cut short.
    private mutating func readProperties(depth: Int) throws(AMF0Error) -> [AMF0Value.Property] {
        var properties: [AMF0Value.Property] = []
        while true {
            let name = try readString(length: Int(try read(UInt16.self)))
            if name.isEmpty {
                let marker: UInt8
                do { marker = try reader.peekInteger(UInt8.self) } catch { throw AMF0Error(error) }
                if marker == AMF0Value.Marker.objectEnd.rawValue {
                    _ = try read(UInt8.self)
                    return properties
                }
            }
            properties.append(AMF0Value.Property(name, try decodeValue(depth: depth + 1)))
        }
    }

    private mutating func readString(length: Int) throws(AMF0Error) -> String {
        let at = reader.position
        let bytes = try readBytes(length)
        guard let string = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8(at: at) }
        return string
    }

    private mutating func read<T: FixedWidthInteger>(_: T.Type) throws(AMF0Error) -> T {
        do { return try reader.readInteger(T.self) } catch { throw AMF0Error(error) }
    }

    private mutating func readBytes(_ count: Int) throws(AMF0Error) -> [UInt8] {
        do { return try reader.readBytes(count) } catch { throw AMF0Error(error) }
    }
}

extension AMF0Error {
    init(_ error: ByteReaderError) {
        switch error {
        case let .truncated(needed, remaining, at): self = .truncated(needed: needed, remaining: remaining, at: at)
        case let .invalidLength(length, at): self = .truncated(needed: length, remaining: 0, at: at)
        }
    }
}
