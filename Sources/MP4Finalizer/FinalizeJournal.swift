import MediaCore
import StagingWriter
#if canImport(Glibc)
import Glibc
#endif

/// The file an in-place finalize writes, and makes durable with one fsync, before it inserts
/// the header in front of `.mdat`, so that a crash at any later step is resumed, not lost:
///
/// ```
/// NAME.mp4.journal: [header: the planned ftyp + moov + free + mdat header, header length bytes]
///                   [trailer: magic "SRSTGJNL", version u16, header length u64, payload size u64,
///                    header CRC-32C u32, CRC-32C u32 of the trailer bytes before it]
/// ```
///
/// The header sits at offset 0 so that it goes into `.mdat` by a block-aligned kernel copy,
/// and is never held in memory whole (a day-long recording has a moov of tens of MiB).
///
/// With a readable trailer, the size of `.mdat` tells how far the finalize got: `payload size`
/// means the insert has not happened (start over, same result); `header length + payload size`
/// means it has (copy the header in from the journal, or, if the journal's header does not
/// match its checksum, collapse the inserted range to get the original set back and start
/// over). A journal whose trailer is unreadable was never acted on: the insert comes only
/// after the journal is durable.
struct FinalizeJournal: Equatable {
    static let magic = Array("SRSTGJNL".utf8)
    /// Version 1 kept the header in a separate NAME.mp4.header file.
    static let version: UInt16 = 2
    static let trailerSize: Int64 = 34

    var headerLength: Int64
    var payloadSize: Int64
    var headerCRC: UInt32

    static func path(for output: String) -> String { output + ".journal" }

    func encodedTrailer() -> [UInt8] {
        var w = ByteWriter(capacity: Int(Self.trailerSize))
        w.write(bytes: Self.magic)
        w.write(Self.version)
        w.write(UInt64(headerLength))
        w.write(UInt64(payloadSize))
        w.write(headerCRC)
        w.write(CRC32C.checksum(w.bytes))
        return w.bytes
    }

    /// The trailer of the journal at `output`, or nil when there is none or it is damaged.
    static func read(output: String) -> FinalizeJournal? {
        guard let file = try? FileDescriptor.open(path(for: output), .readOnly) else { return nil }
        defer { try? file.close() }
        guard let size = try? file.size(), size >= trailerSize,
              let bytes = try? file.read(count: Int(trailerSize), fromAbsoluteOffset: size - trailerSize),
              bytes.count == Int(trailerSize), Array(bytes[0..<8]) == magic,
              CRC32C.checksum(bytes[0..<30]) == bytes[30..<34].reduce(0, { ($0 << 8) | UInt32($1) }) else { return nil }
        var r = ByteReader(bytes)
        do {
            try r.skip(8)
            guard try r.readInteger(UInt16.self) == version else { return nil }
            let header = Int64(try r.readInteger(UInt64.self))
            let payload = Int64(try r.readInteger(UInt64.self))
            let crc: UInt32 = try r.readInteger()
            guard header >= 0, payload >= 0, header + trailerSize == size else { return nil }
            return FinalizeJournal(headerLength: header, payloadSize: payload, headerCRC: crc)
        } catch {
            return nil
        }
    }

    /// The CRC-32C of the first `length` bytes of `file`, read in 1 MiB pieces.
    static func checksum(of file: FileDescriptor, length: Int64) throws(SystemError) -> UInt32 {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var crc: UInt32 = 0
        var done: Int64 = 0
        while done < length {
            let want = Int(min(Int64(buffer.count), length - done))
            let got = try buffer.withUnsafeMutableBytes { raw in
                Result { () throws(SystemError) in
                    try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<want]), fromAbsoluteOffset: done)
                }
            }.get()
            if got < want { throw SystemError(call: "read", path: file.path, errno: EIO) }
            crc = buffer.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<want]), continuing: crc) }
            done += Int64(want)
        }
        return crc
    }
}
