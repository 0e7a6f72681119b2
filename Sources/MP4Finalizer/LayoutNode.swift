import ISOBMFF
import MediaCore

/// Which streamed table of which track a `LayoutNode.table` stands for.
struct TableID: Hashable {
    enum Kind: Hashable { case stts, ctts, stss, stsz, stsc, chunkOffsets }
    let track: Int
    let kind: Kind
}

/// A box of the planned moov: its size is computed from its content before anything is
/// written ("plan, then write once"), including the bodies of sample tables that are streamed
/// into place later.
indirect enum LayoutNode {
    /// A box whose whole body is known now.
    case leaf(FourCC, body: [UInt8])
    /// A box holding `prefix` bytes (e.g. a full box's version and flags) then children.
    case container(FourCC, prefix: [UInt8], children: [LayoutNode])
    /// A table box: `prefix` (version, flags, counts) is known now; `streamedSize` bytes of
    /// entries follow, written in the write pass.
    case table(FourCC, prefix: [UInt8], streamedSize: Int64, id: TableID)

    var bodySize: Int64 {
        switch self {
        case let .leaf(_, body): return Int64(body.count)
        case let .container(_, prefix, children): return Int64(prefix.count) + children.reduce(0) { $0 + $1.size }
        case let .table(_, prefix, streamedSize, _): return Int64(prefix.count) + streamedSize
        }
    }

    /// Header (8 bytes, or 16 with a 64-bit size) plus body.
    var size: Int64 { Self.headerSize(forBody: bodySize) + bodySize }

    static func headerSize(forBody body: Int64) -> Int64 { body + 8 > Int64(UInt32.max) ? 16 : 8 }

    /// Appends the header of a box of `size` bytes in all; a 64-bit `largesize` when the box
    /// passes 4 GiB (14496-12 4.2). The bytes are ISOBMFF's `BoxHeader`'s.
    static func writeHeader(_ type: FourCC, size: Int64, to w: inout ByteWriter) {
        BoxHeader(type: type, offset: 0, size: size, usesLargeSize: size > Int64(UInt32.max)).write(to: &w)
    }

    /// Serializes the known bytes. Streamed regions are left out: `skeleton` gets a segment per
    /// run of known bytes, and `tables` the absolute offset where each streamed body goes.
    func serialize(at offset: Int64, into skeleton: inout [(offset: Int64, bytes: [UInt8])],
                   tables: inout [TableID: Int64]) {
        var w = ByteWriter()
        var cursor = offset
        func emit() {
            if !w.bytes.isEmpty {
                skeleton.append((cursor, w.bytes))
                cursor += Int64(w.count)
                w.removeAll()
            }
        }
        switch self {
        case let .leaf(type, body):
            Self.writeHeader(type, size: size, to: &w)
            w.write(bytes: body)
            emit()
        case let .container(type, prefix, children):
            Self.writeHeader(type, size: size, to: &w)
            w.write(bytes: prefix)
            emit()
            for child in children {
                child.serialize(at: cursor, into: &skeleton, tables: &tables)
                cursor += child.size
            }
        case let .table(type, prefix, streamedSize, id):
            Self.writeHeader(type, size: size, to: &w)
            w.write(bytes: prefix)
            emit()
            tables[id] = cursor
            cursor += streamedSize
        }
        precondition(cursor == offset + size, "box \(self.type) wrote \(cursor - offset) bytes, planned \(size)")
    }

    var type: FourCC {
        switch self {
        case let .leaf(t, _), let .container(t, _, _), let .table(t, _, _, _): return t
        }
    }
}
