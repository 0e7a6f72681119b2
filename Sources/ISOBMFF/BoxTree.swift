import MediaCore

/// The boxes of a file, top level in file order, containers parsed recursively.
///
/// Only containers (`moov`) and small leaves (`ftyp`, `free`) are loaded; `mdat` and other
/// large payloads stay in the file and are read sample by sample.
public struct BoxTree: Sendable, Equatable {
    /// A container larger than this is damage or an attack: the sample tables of a week-long
    /// 60 fps recording with audio are well under it, and it is read into memory whole.
    public static let maxLoadedContainerSize: Int64 = 1 << 30
    /// Top-level leaves up to this size are loaded (`ftyp`, `free`, `uuid`); bigger ones
    /// (padding, a second `mdat`) stay in the file.
    public static let maxLoadedLeafBodySize: Int64 = 1 << 16

    public var boxes: [BoxNode]
    public var fileSize: Int64

    public init(boxes: [BoxNode], fileSize: Int64) {
        self.boxes = boxes
        self.fileSize = fileSize
    }

    /// Reads the tree of the file at `path`.
    public init(path: String) throws(MP4ParseError) {
        try self.init(source: FileByteSource(path: path))
    }

    /// Reads the tree of a file held in memory.
    public init(bytes: [UInt8]) throws(MP4ParseError) {
        try self.init(source: MemoryByteSource(bytes: bytes))
    }

    init(source: some ByteSource) throws(MP4ParseError) {
        var boxes: [BoxNode] = []
        var offset: Int64 = 0
        while offset < source.size {
            let available = source.size - offset
            // A header is at most 32 bytes: size, type, largesize, usertype.
            var reader = ByteReader(try source.read(count: Int(min(32, available)), at: offset))
            let header = try BoxHeader.parse(&reader, at: offset, available: available, parent: nil)
            if BoxNode.containerTypes.contains(header.type) {
                guard header.size <= Self.maxLoadedContainerSize else {
                    throw .exceedsLimit(header.type, value: UInt64(header.size),
                                        limit: UInt64(Self.maxLoadedContainerSize), at: offset)
                }
                var body = ByteReader(try Self.readBody(of: header, from: source))
                let children = try BoxNode.parseChildren(&body, base: header.bodyOffset, parent: header.type, depth: 1)
                boxes.append(BoxNode(header: header, content: .children(children)))
            } else if header.type != "mdat" && header.bodySize <= Self.maxLoadedLeafBodySize {
                boxes.append(BoxNode(header: header, content: .body(try Self.readBody(of: header, from: source))))
            } else {
                boxes.append(BoxNode(header: header, content: .inFile))
            }
            offset = header.end
        }
        self.init(boxes: boxes, fileSize: source.size)
    }

    private static func readBody(of header: BoxHeader, from source: some ByteSource) throws(MP4ParseError) -> [UInt8] {
        let body = try source.read(count: Int(header.bodySize), at: header.bodyOffset)
        // Only a file that shrank while we read it gets here: the header was checked against its size.
        guard body.count == Int(header.bodySize) else {
            throw .extendsPastParent(header.type, size: UInt64(header.size),
                                     available: Int64(header.headerSize + body.count), parent: nil, at: header.offset)
        }
        return body
    }

    /// Top-level box types in file order, e.g. `[ftyp, moov, mdat]` for a fast-start file.
    public var topLevelTypes: [FourCC] { boxes.map(\.type) }

    public func first(_ type: FourCC) -> BoxNode? {
        boxes.first { $0.type == type }
    }
}
