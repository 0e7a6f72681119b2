import MediaCore

/// The header in front of every box: its size, its type, and where it sits. (ISO/IEC 14496-12 4.2)
///
/// ```
/// size:32  type:32  [largesize:64 when size == 1]  [usertype:128 when type == 'uuid']  body...
/// ```
/// `size` counts the header too. `size == 1` moves the size into the 64-bit `largesize`
/// (an `mdat` past 4 GiB); `size == 0` means "to the end of the parent", in practice an
/// `mdat` that runs to the end of the file.
public struct BoxHeader: Sendable, Equatable {
    /// The box type whose header carries a 16-byte extended type.
    public static let uuidType: FourCC = "uuid"

    public var type: FourCC
    /// The 16-byte extended type of a `uuid` box, nil for every other type.
    public var userType: [UInt8]?
    /// File offset of the header's first byte (relative to the parsed bytes when parsed alone).
    public var offset: Int64
    /// Total size, header included; a `size == 0` box is resolved to the end of its parent.
    public var size: Int64
    /// Whether the size is in the 64-bit `largesize` field (`size == 1`).
    public var usesLargeSize: Bool
    /// Whether the size field was 0 ("to the end of the parent").
    public var extendsToEnd: Bool

    /// 8, 16 with a 64-bit size; 16 more for a `uuid` box's extended type.
    public var headerSize: Int { 8 + (usesLargeSize ? 8 : 0) + (userType == nil ? 0 : 16) }
    public var bodySize: Int64 { size - Int64(headerSize) }
    public var bodyOffset: Int64 { offset + Int64(headerSize) }
    /// Offset one past the box's last byte.
    public var end: Int64 { offset + size }

    public init(type: FourCC, userType: [UInt8]? = nil, offset: Int64, size: Int64,
                usesLargeSize: Bool = false, extendsToEnd: Bool = false) {
        self.type = type
        self.userType = userType
        self.offset = offset
        self.size = size
        self.usesLargeSize = usesLargeSize
        self.extendsToEnd = extendsToEnd
    }

    /// The header of a box about to be written with `bodySize` body bytes. The 64-bit size is
    /// used only when 32 bits cannot hold the total, or when asked (a writer that reserves
    /// room for an `mdat` whose final size is not known yet).
    public init(type: FourCC, bodySize: Int64, userType: [UInt8]? = nil, forceLargeSize: Bool = false, offset: Int64 = 0) {
        precondition(userType == nil || userType!.count == 16, "a uuid extended type has 16 bytes")
        let compactSize = 8 + (userType == nil ? 0 : 16) + bodySize
        let large = forceLargeSize || compactSize > Int64(UInt32.max)
        self.init(type: type, userType: userType, offset: offset, size: compactSize + (large ? 8 : 0),
                  usesLargeSize: large)
    }

    /// Parses a header at the reader's position.
    ///
    /// - Parameters:
    ///   - offset: where the header starts, for the header and for errors.
    ///   - available: bytes left in the parent from `offset` (the reader may hold only the
    ///     header bytes when the body stays in the file).
    ///   - parent: the enclosing box, nil at the top level of a file.
    public static func parse(_ reader: inout ByteReader, at offset: Int64, available: Int64,
                             parent: FourCC?) throws(MP4ParseError) -> BoxHeader {
        func field<T: FixedWidthInteger>(_: T.Type) throws(MP4ParseError) -> T {
            do throws(ByteReaderError) { return try reader.readInteger() } catch {
                throw .truncatedHeader(parent: parent, remaining: available, at: offset)
            }
        }
        guard available >= 8 else { throw .truncatedHeader(parent: parent, remaining: available, at: offset) }
        let size32 = try field(UInt32.self)
        let type = FourCC(rawValue: try field(UInt32.self))
        var headerSize = 8
        var size: UInt64
        switch size32 {
        case 1:
            guard available >= 16 else { throw .truncatedHeader(parent: parent, remaining: available, at: offset) }
            size = try field(UInt64.self)
            headerSize = 16
        case 0:
            size = UInt64(available)
        default:
            size = UInt64(size32)
        }
        var userType: [UInt8]? = nil
        if type == uuidType {
            guard available >= Int64(headerSize + 16) else {
                throw .truncatedHeader(parent: parent, remaining: available, at: offset)
            }
            do throws(ByteReaderError) { userType = try reader.readBytes(16) } catch {
                throw .truncatedHeader(parent: parent, remaining: available, at: offset)
            }
            headerSize += 16
        }
        if size32 == 0 { size = UInt64(available) }
        guard size >= UInt64(headerSize) else {
            throw .sizeSmallerThanHeader(type, size: size, headerSize: headerSize, at: offset)
        }
        guard size <= UInt64(available) else {
            throw .extendsPastParent(type, size: size, available: available, parent: parent, at: offset)
        }
        return BoxHeader(type: type, userType: userType, offset: offset, size: Int64(size),
                         usesLargeSize: size32 == 1, extendsToEnd: size32 == 0)
    }

    /// Writes the header bytes: size (0 for a box that extends to the end), type, the 64-bit
    /// size when used, and the extended type of a `uuid` box.
    public func write(to writer: inout ByteWriter) {
        if usesLargeSize {
            writer.write(UInt32(1))
        } else {
            precondition(extendsToEnd || size <= Int64(UInt32.max), "box '\(type)' of \(size) bytes needs a 64-bit size")
            writer.write(extendsToEnd ? UInt32(0) : UInt32(size))
        }
        writer.write(type)
        if usesLargeSize { writer.write(UInt64(size)) }
        if let userType { writer.write(bytes: userType) }
    }

    /// The header bytes alone, for a writer that streams the body after them.
    public var bytes: [UInt8] {
        var writer = ByteWriter(capacity: headerSize)
        write(to: &writer)
        return writer.bytes
    }
}
