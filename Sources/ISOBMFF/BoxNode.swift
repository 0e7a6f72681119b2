import MediaCore

/// One box of a file: where it sits, and what it holds.
public struct BoxNode: Sendable, Equatable {
    public enum Content: Sendable, Equatable {
        /// A container's boxes, in file order.
        case children([BoxNode])
        /// A leaf's body bytes.
        case body([UInt8])
        /// A body left in the file (`mdat`, large top-level boxes); read it through the file.
        case inFile
    }

    /// Boxes that hold nothing but other boxes (ISO/IEC 14496-12 Table 1), parsed recursively.
    /// Boxes with fields before their children (`stsd`, `meta`, `dref`, sample entries) are
    /// leaves here and are decoded by their typed box.
    public static let containerTypes: Set<FourCC> = [
        "moov", "trak", "mdia", "minf", "stbl", "dinf", "edts", "udta", "mvex", "tref",
        "moof", "traf", "mfra",
    ]

    /// Deeper nesting than this is damage or an attack (each level costs a stack frame); real
    /// files nest about 8 deep (moov/trak/mdia/minf/stbl/stsd/avc1/avcC).
    public static let maxDepth = 32

    public var header: BoxHeader
    public var content: Content

    public init(header: BoxHeader, content: Content) {
        self.header = header
        self.content = content
    }

    public var type: FourCC { header.type }
    public var offset: Int64 { header.offset }
    public var headerSize: Int { header.headerSize }
    public var size: Int64 { header.size }

    /// The children of a container, empty for a leaf.
    public var children: [BoxNode] {
        if case let .children(children) = content { return children }
        return []
    }

    /// The body bytes of a loaded leaf.
    public var body: [UInt8]? {
        if case let .body(body) = content { return body }
        return nil
    }

    public func child(_ type: FourCC) -> BoxNode? {
        children.first { $0.type == type }
    }

    public func children(ofType type: FourCC) -> [BoxNode] {
        children.filter { $0.type == type }
    }

    /// The box at `path` below this one, e.g. `trak.descendant("mdia", "minf", "stbl")`.
    public func descendant(_ path: FourCC...) -> BoxNode? {
        path.reduce(Optional(self)) { node, type in node?.child(type) }
    }

    /// The child of `type`, or `missingBox` naming this box.
    public func requiredChild(_ type: FourCC) throws(MP4ParseError) -> BoxNode {
        guard let child = child(type) else { throw .missingBox(type, parent: self.type, at: offset) }
        return child
    }

    /// Decodes this box's body as `B`, with errors at file offsets.
    public func decode<B: Box>(_: B.Type) throws(MP4ParseError) -> B {
        guard type == B.type else { throw .invalidValue(type, reason: "expected a '\(B.type)' box", at: offset) }
        guard let body else { throw .invalidValue(type, reason: "body is not loaded", at: offset) }
        do throws(MP4ParseError) { return try B.decode(body: body) } catch { throw error.shifted(by: header.bodyOffset) }
    }

    /// Parses the boxes that fill `reader`. `base` is the file offset of the first byte of the
    /// reader's whole array (sub-readers share it and count positions from its start).
    static func parseChildren(_ reader: inout ByteReader, base: Int64, parent: FourCC,
                              depth: Int) throws(MP4ParseError) -> [BoxNode] {
        guard depth <= maxDepth else {
            throw .exceedsLimit(parent, value: UInt64(depth), limit: UInt64(maxDepth), at: base + Int64(reader.position))
        }
        var nodes: [BoxNode] = []
        while !reader.isAtEnd {
            // QuickTime may end a user-data list with a 32-bit zero (QTFF, "User Data Atoms").
            if parent == "udta", reader.remaining == 4, (try? reader.peekInteger(UInt32.self)) == 0 { break }
            let headerAt = base + Int64(reader.position)
            let header = try BoxHeader.parse(&reader, at: headerAt, available: Int64(reader.remaining), parent: parent)
            var body = try reader.readSubReader(Int(header.bodySize), in: header.type)
            if containerTypes.contains(header.type) {
                let children = try parseChildren(&body, base: base, parent: header.type, depth: depth + 1)
                nodes.append(BoxNode(header: header, content: .children(children)))
            } else {
                nodes.append(BoxNode(header: header, content: .body(body.readRemainingBytes())))
            }
        }
        return nodes
    }
}
