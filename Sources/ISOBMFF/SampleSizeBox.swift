import MediaCore

/// `stsz`: sample sizes. Contained in `stbl`. (ISO/IEC 14496-12 8.7.3)
///
/// Either one size for every sample (the count is then the only record of how many there
/// are) or a size per sample.
public struct SampleSizeBox: Box {
    public static let type: FourCC = "stsz"

    public enum Sizes: Sendable, Equatable {
        case constant(size: UInt32, sampleCount: UInt32)
        case perSample([UInt32])
    }

    public var sizes: Sizes

    public init(sizes: Sizes) {
        self.sizes = sizes
    }

    public init(body: inout ByteReader) throws(MP4ParseError) {
        let t = Self.type
        _ = try body.readVersion(in: t, supported: 0...0)
        let size = try body.read(UInt32.self, in: t)
        if size != 0 {
            sizes = .constant(size: size, sampleCount: try body.read(in: t))
            return
        }
        let count = try body.readEntryCount(entrySize: 4, in: t)
        var list: [UInt32] = []
        list.reserveCapacity(count)
        for _ in 0..<count { list.append(try body.read(in: t)) }
        sizes = .perSample(list)
    }

    public var sampleCount: Int {
        switch sizes {
        case let .constant(_, count): return Int(count)
        case let .perSample(list): return list.count
        }
    }

    /// Size of the sample at 0-based `index`.
    public func size(at index: Int) -> UInt32 {
        switch sizes {
        case let .constant(size, _): return size
        case let .perSample(list): return list[index]
        }
    }

    public var bodySize: Int {
        if case let .perSample(list) = sizes { return 12 + 4 * list.count }
        return 12                                     // version+flags, sample_size, sample_count
    }

    public func writeBody(to writer: inout ByteWriter) {
        writer.writeVersionAndFlags(0, 0)
        switch sizes {
        case let .constant(size, count):
            writer.write(size)
            writer.write(count)
        case let .perSample(list):
            writer.write(UInt32(0))
            writer.write(UInt32(list.count))
            list.forEach { writer.write($0) }
        }
    }
}
