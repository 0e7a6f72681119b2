/// The start of an AC-3 syncframe: syncinfo and the bsi fields up to lfeon (ATSC A/52 5.3.1,
/// 5.3.2; ETSI TS 102 366 4.3). Enough for the frame's length and for the `dac3` box an MP4
/// needs (`AC3SpecificBox`).
///
/// ```
/// syncword(16)=0x0B77 crc1(16) fscod(2) frmsizecod(6) | bsid(5) bsmod(3) acmod(3)
/// [cmixlev(2)] [surmixlev(2)] [dsurmod(2)] lfeon(1) ...
/// ```
public struct AC3SyncFrameHeader: AudioFrameHeader, Equatable {
    public static let syncWord: UInt16 = 0x0B77
    /// Every AC-3 syncframe holds six blocks of 256 samples (A/52 5.1).
    public static let samplesPerFrame = 1536
    /// bsid values of AC-3 (A/52 5.4.2.1: 8, and lower values a decoder of 8 decodes); 16 is E-AC-3.
    static let maxBSID: UInt8 = 8

    /// 0 48 kHz, 1 44.1 kHz, 2 32 kHz.
    public var fscod: UInt8
    /// frmsizecod (A/52 Table 5.18): bit rate and, at 44.1 kHz, the padding word.
    public var frmsizecod: UInt8
    public var bsid: UInt8
    public var bsmod: UInt8
    /// Audio coding mode: the full-bandwidth channels (A/52 Table 5.8).
    public var acmod: UInt8
    public var lfeon: Bool

    static let structure = "AC-3 syncframe"
    static let sampleRates: [UInt32] = [48000, 44100, 32000]
    /// Channels of each acmod, LFE excluded (A/52 Table 5.8; acmod 0 is 1+1 dual mono).
    static let fullBandwidthChannels: [Int] = [2, 1, 2, 3, 3, 4, 4, 5]

    /// Channels of an AC-3 or E-AC-3 stream with this acmod and lfeon, LFE included.
    static func channelCount(acmod: UInt8, lfeon: Bool) -> Int { fullBandwidthChannels[Int(acmod)] + (lfeon ? 1 : 0) }
    /// kbit/s of frmsizecod / 2 (A/52 Table 5.18).
    static let bitrates: [Int] = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 576, 640]

    /// Parses and validates the header at the start of `bytes` (which may hold more).
    public init<C: Collection<UInt8>>(parsing bytes: C) throws(CodecError) {
        var r = RBSPReader(rbsp: Array(bytes.prefix(8)), structure: Self.structure)
        let sync = try r.u(16, "syncword")
        guard sync == UInt32(Self.syncWord) else { throw .invalidValue(structure: Self.structure, field: "syncword", value: Int64(sync)) }
        try r.skip(16, "crc1")
        fscod = UInt8(try r.u(2, "fscod"))
        guard fscod < 3 else { throw .invalidValue(structure: Self.structure, field: "fscod", value: Int64(fscod)) }
        frmsizecod = UInt8(try r.u(6, "frmsizecod"))
        guard Int(frmsizecod / 2) < Self.bitrates.count else {
            throw .invalidValue(structure: Self.structure, field: "frmsizecod", value: Int64(frmsizecod))
        }
        bsid = UInt8(try r.u(5, "bsid"))
        guard bsid <= Self.maxBSID else { throw .invalidValue(structure: Self.structure, field: "bsid", value: Int64(bsid)) }
        bsmod = UInt8(try r.u(3, "bsmod"))
        acmod = UInt8(try r.u(3, "acmod"))
        // The mix levels present for this acmod (A/52 5.3.2) come before lfeon.
        if acmod & 1 != 0 && acmod != 1 { try r.skip(2, "cmixlev") }
        if acmod & 4 != 0 { try r.skip(2, "surmixlev") }
        if acmod == 2 { try r.skip(2, "dsurmod") }
        lfeon = try r.flag("lfeon")
    }

    public var sampleRate: UInt32 { Self.sampleRates[Int(fscod)] }
    public var channelCount: Int { Self.channelCount(acmod: acmod, lfeon: lfeon) }
    /// kbit/s.
    public var bitrate: Int { Self.bitrates[Int(frmsizecod / 2)] }

    /// The syncframe in bytes (A/52 Table 5.18): 16-bit words of the bit rate over 1536
    /// samples; at 44.1 kHz the odd frmsizecod adds one word.
    public var frameLength: Int {
        let words = bitrate * 1000 * Self.samplesPerFrame / (Int(sampleRate) * 16)
        return 2 * (words + (fscod == 1 ? Int(frmsizecod & 1) : 0))
    }

    /// The `dac3` box body for this stream.
    public var specificBox: AC3SpecificBox {
        AC3SpecificBox(fscod: fscod, bsid: bsid, bsmod: bsmod, acmod: acmod, lfeon: lfeon, bitRateCode: frmsizecod / 2)
    }

    /// Splits a run of whole syncframes (a TS PES payload) at their headers.
    public static func frames(in bytes: [UInt8]) throws(CodecError) -> [(header: AC3SyncFrameHeader, frame: ArraySlice<UInt8>)] {
        try splitFrames(bytes, frameBodyField: "audblk")
    }
}
