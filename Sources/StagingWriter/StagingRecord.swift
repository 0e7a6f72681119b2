import MediaCore

/// One 40-byte unit of a track file: a sample's place in .mdat and its timing, or the head of
/// a sample description ('sdsc', followed by the description body padded to whole units).
///
/// Layout (big-endian): tag u32, offset u64, size u32, dts i64, composition offset i32,
/// flags u16 (bit 0: sync sample), sample description index u16, payload CRC-32C u32,
/// record CRC-32C u32 (over the 36 bytes before it).
public struct StagingRecord: Sendable, Equatable {
    public var tag: UInt32
    public var offset: UInt64
    public var size: UInt32
    public var dts: Int64
    public var compositionOffset: Int32
    public var flags: UInt16
    public var sampleDescriptionIndex: UInt16
    public var payloadCRC: UInt32

    public static let syncFlag: UInt16 = 1

    public init(tag: UInt32 = StagingFormat.sampleTag, offset: UInt64, size: UInt32, dts: Int64,
                compositionOffset: Int32, flags: UInt16, sampleDescriptionIndex: UInt16, payloadCRC: UInt32) {
        self.tag = tag
        self.offset = offset
        self.size = size
        self.dts = dts
        self.compositionOffset = compositionOffset
        self.flags = flags
        self.sampleDescriptionIndex = sampleDescriptionIndex
        self.payloadCRC = payloadCRC
    }

    public var isSync: Bool { flags & Self.syncFlag != 0 }
    public var isSample: Bool { tag == StagingFormat.sampleTag }
    public var pts: Int64 { dts + Int64(compositionOffset) }
    /// End of the payload in .mdat.
    public var end: UInt64 { offset + UInt64(size) }

    /// Appends the 40 bytes of this unit (encoded in place: no per-field appends).
    public func encode(into bytes: inout [UInt8]) {
        let start = bytes.count
        bytes.append(contentsOf: Self.zeroUnit)
        bytes.withUnsafeMutableBytes { raw in
            let p = raw.baseAddress! + start
            p.storeBytes(of: tag.bigEndian, toByteOffset: 0, as: UInt32.self)
            p.storeBytes(of: offset.bigEndian, toByteOffset: 4, as: UInt64.self)
            p.storeBytes(of: size.bigEndian, toByteOffset: 12, as: UInt32.self)
            p.storeBytes(of: dts.bigEndian, toByteOffset: 16, as: Int64.self)
            p.storeBytes(of: compositionOffset.bigEndian, toByteOffset: 24, as: Int32.self)
            p.storeBytes(of: flags.bigEndian, toByteOffset: 28, as: UInt16.self)
            p.storeBytes(of: sampleDescriptionIndex.bigEndian, toByteOffset: 30, as: UInt16.self)
            p.storeBytes(of: payloadCRC.bigEndian, toByteOffset: 32, as: UInt32.self)
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(start: p, count: 36))
            p.storeBytes(of: crc.bigEndian, toByteOffset: 36, as: UInt32.self)
        }
    }

    private static let zeroUnit = [UInt8](repeating: 0, count: StagingFormat.unitSize)

    /// Decodes a unit at `base` of a raw buffer; nil when its record checksum fails (torn,
    /// zeroed or garbage bytes). `verify: false` skips the checksum, for a second pass over a
    /// file whose every record an earlier pass verified.
    @inline(__always)  // once per record per pass: the call cost as much as the decoding
    public static func decode(_ raw: UnsafeRawBufferPointer, at base: Int, verify: Bool = true) -> StagingRecord? {
        precondition(base + StagingFormat.unitSize <= raw.count, "decode needs a whole unit")
        let unit = UnsafeRawBufferPointer(rebasing: raw[base..<base + StagingFormat.unitSize])
        if verify {
            let stored: UInt32 = load(unit, 36)
            guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: unit[0..<36])) == stored else { return nil }
        }
        return StagingRecord(tag: load(unit, 0), offset: load(unit, 4), size: load(unit, 12),
                             dts: Int64(bitPattern: load(unit, 16)),
                             compositionOffset: Int32(bitPattern: load(unit, 24)),
                             flags: load(unit, 28), sampleDescriptionIndex: load(unit, 30),
                             payloadCRC: load(unit, 32))
    }

    /// How many of the `count` units at `base`, from the first, have intact record checksums:
    /// a loaded buffer's records checked in one call, four at a time, instead of one by one
    /// (`decode` then skips the check for them). 0 without the CPU's crc32 instruction:
    /// `decode` checks each record itself.
    public static func intactUnits(_ raw: UnsafeRawBufferPointer, at base: Int, count: Int) -> Int {
        precondition(base + count * StagingFormat.unitSize <= raw.count, "intactUnits needs whole units")
        return CRC32C.intactUnits(UnsafeRawBufferPointer(rebasing: raw[base..<base + count * StagingFormat.unitSize]),
                                  stride: StagingFormat.unitSize, covered: 36)
    }

    @inline(__always)
    private static func load<T: FixedWidthInteger>(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> T {
        T(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
