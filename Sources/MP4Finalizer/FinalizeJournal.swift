import MediaCore
import StagingWriter

/// The small record an in-place finalize writes (atomically) before it inserts the header in
/// front of `.mdat`, so that a crash at any later step is resumed, not lost:
///
/// ```
/// NAME.mp4.journal: magic "SRSTGJNL", version u16, header length u64, payload size u64,
///                   header CRC-32C u32, CRC-32C u32 of the bytes before it
/// NAME.mp4.header:  the planned ftyp + moov + free + mdat header (header length bytes)
/// ```
///
/// With the journal present, the size of `.mdat` tells how far the finalize got: `payload
/// size` means the insert has not happened (start over, same result); `header length + payload
/// size` means it has (write the header from NAME.mp4.header, or, if that file is damaged,
/// collapse the inserted range to get the original set back and start over).
struct FinalizeJournal: Equatable {
    static let magic = Array("SRSTGJNL".utf8)
    static let version: UInt16 = 1

    var headerLength: Int64
    var payloadSize: Int64
    var headerCRC: UInt32

    static func path(for output: String) -> String { output + ".journal" }
    static func headerPath(for output: String) -> String { output + ".header" }

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 40)
        w.write(bytes: Self.magic)
        w.write(Self.version)
        w.write(UInt64(headerLength))
        w.write(UInt64(payloadSize))
        w.write(headerCRC)
        w.write(CRC32C.checksum(w.bytes))
        return w.bytes
    }

    /// The journal at `output`, or nil when there is none or it is damaged (a journal is
    /// written atomically, so a damaged one was never acted on).
    static func read(output: String) -> FinalizeJournal? {
        guard let bytes = try? FileSystem.readFile(path(for: output)), bytes.count == 34,
              Array(bytes[0..<8]) == magic,
              CRC32C.checksum(bytes[0..<30]) == bytes[30..<34].reduce(0, { ($0 << 8) | UInt32($1) }) else { return nil }
        var r = ByteReader(bytes)
        do {
            try r.skip(8)
            guard try r.readInteger(UInt16.self) == version else { return nil }
            let header = Int64(try r.readInteger(UInt64.self))
            let payload = Int64(try r.readInteger(UInt64.self))
            let crc: UInt32 = try r.readInteger()
            return FinalizeJournal(headerLength: header, payloadSize: payload, headerCRC: crc)
        } catch {
            return nil
        }
    }
}
