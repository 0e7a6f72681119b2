import MediaCore

/// `stss`: the samples a decoder can start at (keyframes). Contained in `stbl`; absent when
/// every sample is a sync sample. (ISO/IEC 14496-12 8.6.2)
public struct SyncSampleBox: Box {
    public static let type: FourCC = "stss"

    /// 1-based sample numbers, strictly increasing.
    public var sampleNumbers: [UInt32]

    public init(sampleNumbers: [UInt32]) {
        self.sampleNumbers = sampleNumbers
    }

    public init(body: inout ByteReader) throws(MP4ParseError) {
        _ = try body.readVersion(in: Self.type, supported: 0...0)
        let count = try body.readEntryCount(entrySize: 4, in: Self.type)
        sampleNumbers = []
        sampleNumbers.reserveCapacity(count)
        for _ in 0..<count { sampleNumbers.append(try body.read(in: Self.type)) }
    }

    public var bodySize: Int { 4 + 4 + 4 * sampleNumbers.count }

    public func writeBody(to writer: inout ByteWriter) {
        writer.writeVersionAndFlags(0, 0)
        writer.write(UInt32(sampleNumbers.count))
        sampleNumbers.forEach { writer.write($0) }
    }
}
