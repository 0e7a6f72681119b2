extension FileSystem {
    /// Reads `path` from its start to its end in pieces of up to `pieceSize` bytes, handing
    /// each to `consume` in order: a file of any size in bounded memory (demuxing a recording).
    public static func readPieces(_ path: String, pieceSize: Int, _ consume: ([UInt8]) throws -> Void) throws {
        let file = try FileDescriptor.open(path, .readOnly)
        defer { try? file.close() }
        var offset: Int64 = 0
        while true {
            let piece = try file.read(count: pieceSize, fromAbsoluteOffset: offset)
            if piece.isEmpty { return }
            offset += Int64(piece.count)
            try consume(piece)
        }
    }
}
