/// The body of `dec3`, the EC3SpecificBox of an MP4 `ec-3` sample entry (ETSI TS 102 366
/// F.6): the stream's data rate and, per independent substream, its bsi fields.
///
/// ```
/// data_rate(13) num_ind_sub(3)
/// { fscod(2) bsid(5) reserved(1) asvc(1) bsmod(3) acmod(3) lfeon(1) reserved(3) num_dep_sub(4)
///   [chan_loc(9) | reserved(1)] }...
/// ```
/// Dependent substreams (channels beyond 5.1) are not modelled: a box announcing them is
/// refused rather than half read.
public struct EC3SpecificBox: Sendable, Equatable {
    public struct Substream: Sendable, Equatable {
        public var fscod: UInt8
        public var bsid: UInt8
        public var asvc: Bool
        public var bsmod: UInt8
        public var acmod: UInt8
        public var lfeon: Bool

    }

    /// kbit/s.
    public var dataRate: UInt16
    /// One to eight independent substreams.
    public var substreams: [Substream]

    private static let structure = "EC3SpecificBox"

    public init(dataRate: UInt16, substreams: [Substream]) {
        self.dataRate = dataRate
        self.substreams = substreams
    }

    public init(parsing bytes: [UInt8]) throws(CodecError) {
        var r = RBSPReader(rbsp: bytes, structure: Self.structure)
        dataRate = UInt16(try r.u(13, "data_rate"))
        let count = Int(try r.u(3, "num_ind_sub")) + 1
        substreams = []
        for _ in 0..<count {
            let fscod = UInt8(try r.u(2, "fscod"))
            let bsid = UInt8(try r.u(5, "bsid"))
            try r.skip(1, "reserved")
            let asvc = try r.flag("asvc")
            let bsmod = UInt8(try r.u(3, "bsmod"))
            let acmod = UInt8(try r.u(3, "acmod"))
            let lfeon = try r.flag("lfeon")
            try r.skip(3, "reserved")
            let dependents = try r.u(4, "num_dep_sub")
            guard dependents == 0 else { throw .unsupported(structure: Self.structure, feature: "dependent substreams (\(dependents))") }
            try r.skip(1, "reserved")
            substreams.append(Substream(fscod: fscod, bsid: bsid, asvc: asvc, bsmod: bsmod, acmod: acmod, lfeon: lfeon))
        }
    }

    /// The first independent substream's rate (the half rates of fscod2 are not signalled here).
    public var sampleRate: UInt32 {
        let fscod = Int(substreams.first?.fscod ?? 0)
        return fscod < 3 ? AC3SyncFrameHeader.sampleRates[fscod] : 0
    }

    public var channelCount: Int {
        guard let first = substreams.first else { return 0 }
        return AC3SyncFrameHeader.channelCount(acmod: first.acmod, lfeon: first.lfeon)
    }

    public func serialized() -> [UInt8] {
        var w = BitWriter()
        w.write(UInt64(dataRate), bits: 13)
        w.write(UInt64(max(substreams.count, 1) - 1), bits: 3)
        for s in substreams {
            w.write(UInt64(s.fscod), bits: 2)
            w.write(UInt64(s.bsid), bits: 5)
            w.write(0, bits: 1)
            w.writeBit(s.asvc)
            w.write(UInt64(s.bsmod), bits: 3)
            w.write(UInt64(s.acmod), bits: 3)
            w.writeBit(s.lfeon)
            w.write(0, bits: 3)
            w.write(0, bits: 4)
            w.write(0, bits: 1)
        }
        return w.bytes
    }
}
