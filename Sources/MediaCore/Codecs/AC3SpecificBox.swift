/// The body of `dac3`, the AC3SpecificBox of an MP4 `ac-3` sample entry (ETSI TS 102 366
/// F.4): the bsi fields of the stream's syncframes, 3 bytes.
///
/// ```
/// fscod(2) bsid(5) bsmod(3) acmod(3) lfeon(1) bit_rate_code(5) reserved(5)
/// ```
public struct AC3SpecificBox: Sendable, Equatable {
    public static let size = 3

    public var fscod: UInt8
    public var bsid: UInt8
    public var bsmod: UInt8
    public var acmod: UInt8
    public var lfeon: Bool
    /// frmsizecod / 2: the bit rate's index in A/52 Table 5.18.
    public var bitRateCode: UInt8

    private static let structure = "AC3SpecificBox"

    public var sampleRate: UInt32 { AC3SyncFrameHeader.sampleRates[Int(fscod)] }
    public var channelCount: Int { AC3SyncFrameHeader.channelCount(acmod: acmod, lfeon: lfeon) }
    /// kbit/s.
    public var bitrate: Int { AC3SyncFrameHeader.bitrates[Int(bitRateCode)] }

    public func serialized() -> [UInt8] {
        var w = BitWriter()
        w.write(UInt64(fscod), bits: 2)
        w.write(UInt64(bsid), bits: 5)
        w.write(UInt64(bsmod), bits: 3)
        w.write(UInt64(acmod), bits: 3)
        w.writeBit(lfeon)
        w.write(UInt64(bitRateCode), bits: 5)
        w.write(0, bits: 5)
        return w.bytes
    }
}

// In an extension so that the struct keeps its memberwise initializer.
extension AC3SpecificBox {
    public init(parsing bytes: [UInt8]) throws(CodecError) {
        var r = RBSPReader(rbsp: bytes, structure: Self.structure)
        fscod = UInt8(try r.u(2, "fscod"))
        guard fscod < 3 else { throw .invalidValue(structure: Self.structure, field: "fscod", value: Int64(fscod)) }
        bsid = UInt8(try r.u(5, "bsid"))
        bsmod = UInt8(try r.u(3, "bsmod"))
        acmod = UInt8(try r.u(3, "acmod"))
        lfeon = try r.flag("lfeon")
        bitRateCode = UInt8(try r.u(5, "bit_rate_code"))
        guard Int(bitRateCode) < AC3SyncFrameHeader.bitrates.count else {
            throw .invalidValue(structure: Self.structure, field: "bit_rate_code", value: Int64(bitRateCode))
        }
        try r.skip(5, "reserved")
    }
}
