import MediaCore

/// The FourCC an enhanced audio or video tag body names each of its codecs by (Enhanced RTMP
/// v2), looked up either way.
struct FLVCodecFourCCs: Sendable {
    let pairs: [(codec: Codec, fourCC: FourCC)]

    init(_ pairs: [(codec: Codec, fourCC: FourCC)]) {
        self.pairs = pairs
    }

    func fourCC(of codec: Codec) -> FourCC? { pairs.first { $0.codec == codec }?.fourCC }

    func codec(of fourCC: FourCC) -> Codec? { pairs.first { $0.fourCC == fourCC }?.codec }
}
