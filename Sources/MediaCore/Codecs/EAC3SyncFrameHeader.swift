/// The start of an E-AC-3 syncframe: syncinfo and bsi up to bsmod (ATSC A/52 E.1.2.1-E.1.2.2;
/// ETSI TS 102 366 E.1.2). Enough for the frame's length and duration and for the `dec3` box
/// an MP4 needs (`EC3SpecificBox`).
///
/// ```
/// syncword(16)=0x0B77 strmtyp(2) substreamid(3) frmsiz(11) fscod(2) [fscod2(2) | numblkscod(2)]
/// acmod(3) lfeon(1) bsid(5) dialnorm(5) compre(1) ... mixmdate(1) ... infomdate(1) [bsmod(3)]
/// ```
public struct EAC3SyncFrameHeader: AudioFrameHeader, Equatable {
    /// bsid of E-AC-3 (A/52 E.1.3.1.6: 11...16, decoders of 16 decode all).
    static let bsidRange: ClosedRange<UInt8> = 11...16
    static let samplesPerBlock = 256

    /// 0 independent, 1 dependent, 2 AC-3 converted to independent (E.1.3.1.1).
    public var strmtyp: UInt8
    public var substreamid: UInt8
    /// The syncframe in bytes: (frmsiz + 1) 16-bit words.
    public var frameLength: Int
    public var fscod: UInt8
    /// The half rates of fscod 3 (E.1.3.1.4).
    public var fscod2: UInt8?
    /// Audio blocks in the frame: 1, 2, 3 or 6.
    public var blockCount: Int
    public var acmod: UInt8
    public var lfeon: Bool
    public var bsid: UInt8
    /// Bit stream mode, from the informational metadata when present (0, main service, otherwise).
    public var bsmod: UInt8

    static let structure = "E-AC-3 syncframe"
    private static let blockCounts = [1, 2, 3, 6]

    /// Parses and validates the header at the start of `bytes` (which may hold more).
    public init<C: Collection<UInt8>>(parsing bytes: C) throws(CodecError) {
        // bsi ends well within 64 bytes; the frame is at least that long in practice, and
        // a shorter one throws truncated.
        var r = RBSPReader(rbsp: Array(bytes.prefix(64)), structure: Self.structure)
        let sync = try r.u(16, "syncword")
        guard sync == UInt32(AC3SyncFrameHeader.syncWord) else {
            throw .invalidValue(structure: Self.structure, field: "syncword", value: Int64(sync))
        }
        strmtyp = UInt8(try r.u(2, "strmtyp"))
        guard strmtyp != 3 else { throw .invalidValue(structure: Self.structure, field: "strmtyp", value: 3) }
        substreamid = UInt8(try r.u(3, "substreamid"))
        frameLength = 2 * (Int(try r.u(11, "frmsiz")) + 1)
        fscod = UInt8(try r.u(2, "fscod"))
        if fscod == 3 {
            let code = UInt8(try r.u(2, "fscod2"))
            guard code < 3 else { throw .invalidValue(structure: Self.structure, field: "fscod2", value: Int64(code)) }
            fscod2 = code
            blockCount = 6
        } else {
            fscod2 = nil
            blockCount = Self.blockCounts[Int(try r.u(2, "numblkscod"))]
        }
        acmod = UInt8(try r.u(3, "acmod"))
        lfeon = try r.flag("lfeon")
        bsid = UInt8(try r.u(5, "bsid"))
        guard Self.bsidRange.contains(bsid) else { throw .invalidValue(structure: Self.structure, field: "bsid", value: Int64(bsid)) }
        bsmod = 0
        try r.skip(5, "dialnorm")
        if try r.flag("compre") { try r.skip(8, "compr") }
        if acmod == 0 {
            try r.skip(5, "dialnorm2")
            if try r.flag("compr2e") { try r.skip(8, "compr2") }
        }
        if strmtyp == 1, try r.flag("chanmape") { try r.skip(16, "chanmap") }
        if try r.flag("mixmdate") { try Self.skipMixingMetadata(&r, acmod: acmod, lfeon: lfeon, strmtyp: strmtyp, blockCount: blockCount) }
        if try r.flag("infomdate") { bsmod = UInt8(try r.u(3, "bsmod")) }
    }

    /// The mixing metadata of E.1.2.2, which only has to be stepped over to reach bsmod.
    private static func skipMixingMetadata(_ r: inout RBSPReader, acmod: UInt8, lfeon: Bool, strmtyp: UInt8,
                                           blockCount: Int) throws(CodecError) {
        if acmod > 2 { try r.skip(2, "dmixmod") }
        if acmod & 1 != 0 && acmod > 2 { try r.skip(6, "ltrtcmixlev lorocmixlev") }
        if acmod & 4 != 0 { try r.skip(6, "ltrtsurmixlev lorosurmixlev") }
        if lfeon, try r.flag("lfemixlevcode") { try r.skip(5, "lfemixlevcod") }
        guard strmtyp == 0 else { return }
        if try r.flag("pgmscle") { try r.skip(6, "pgmscl") }
        if acmod == 0, try r.flag("pgmscl2e") { try r.skip(6, "pgmscl2") }
        if try r.flag("extpgmscle") { try r.skip(6, "extpgmscl") }
        switch try r.u(2, "mixdef") {
        case 1: try r.skip(5, "premixcmpsel drcsrc premixcmpscl")
        case 2: try r.skip(12, "mixdata")
        case 3:
            let length = Int(try r.u(5, "mixdeflen"))
            try r.skip(8 * (length + 2), "mixdata")
        default: break
        }
        if acmod < 2 {
            if try r.flag("paninfoe") { try r.skip(14, "panmean paninfo") }
            if acmod == 0, try r.flag("paninfo2e") { try r.skip(14, "panmean2 paninfo2") }
        }
        if try r.flag("frmmixcfginfoe") {
            if blockCount == 1 {
                try r.skip(5, "blkmixcfginfo")
            } else {
                for _ in 0..<blockCount where try r.flag("blkmixcfginfoe") { try r.skip(5, "blkmixcfginfo") }
            }
        }
    }

    public var sampleRate: UInt32 {
        fscod2.map { AC3SyncFrameHeader.sampleRates[Int($0)] / 2 } ?? AC3SyncFrameHeader.sampleRates[Int(fscod)]
    }
    public var channelCount: Int { AC3SyncFrameHeader.channelCount(acmod: acmod, lfeon: lfeon) }
    public var samplesPerFrame: Int { blockCount * Self.samplesPerBlock }
    /// kbit/s of this frame, as ffmpeg computes the `dec3` data_rate.
    public var bitrate: Int { 8 * frameLength * Int(sampleRate) / samplesPerFrame / 1000 }

    /// The `dec3` box body of a stream of one independent substream made of frames like this.
    public var specificBox: EC3SpecificBox {
        EC3SpecificBox(dataRate: UInt16(min(bitrate, 0x1FFF)),
                       substreams: [.init(fscod: fscod, bsid: bsid, asvc: false, bsmod: bsmod, acmod: acmod, lfeon: lfeon)])
    }

    /// Splits a run of whole syncframes (a TS PES payload) at their headers.
    public static func frames(in bytes: [UInt8]) throws(CodecError) -> [(header: EAC3SyncFrameHeader, frame: ArraySlice<UInt8>)] {
        try splitFrames(bytes, frameBodyField: "audfrm")
    }
}
