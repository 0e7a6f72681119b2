/// The 4-byte header of an MPEG-1/2/2.5 audio frame, layers I to III (ISO/IEC 11172-3 2.4.1.3,
/// ISO/IEC 13818-3 2.4.2.3; "MPEG-2.5" is the unofficial half-rate extension every MP3 decoder
/// reads). Every frame carries one, so a stream needs no out-of-band configuration.
///
/// ```
/// syncword(11)=0x7FF version(2) layer(2) protection_bit(1) | bitrate_index(4) sampling_frequency(2)
/// padding_bit(1) private_bit(1) | mode(2) mode_extension(2) copyright(1) original(1) emphasis(2)
/// ```
/// (The standards' 12-bit syncword plus ID bit; version 0b00 is MPEG-2.5, 0b01 reserved.)
public struct MPEGAudioFrameHeader: AudioFrameHeader, Equatable {
    public enum Version: UInt8, Sendable {
        case mpeg25 = 0
        case mpeg2 = 2
        case mpeg1 = 3
    }

    public static let headerLength = 4
    /// Layer I frame slots are 4 bytes (11172-3 2.4.3.1).
    static let layerISlotBytes = 4

    public var version: Version
    /// 1, 2 or 3.
    public var layer: Int
    /// protection_bit 0 means a 16-bit CRC follows the header.
    public var hasCRC: Bool
    /// Kilobits per second; free format (index 0) is refused, as its length is unknowable here.
    public var bitrate: Int
    public var sampleRate: UInt32
    public var padding: Bool
    /// 0 stereo, 1 joint stereo, 2 dual channel, 3 single channel.
    public var mode: UInt8

    static let structure = "MPEG audio frame header"
    private static let rates: [UInt32] = [44100, 48000, 32000]
    /// kbit/s by bitrate_index 1...14 (11172-3 Table 2.4.2.3; 13818-3 Table 2.4.2.3 for LSF).
    private static let mpeg1Bitrates: [[Int]] = [
        [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],   // layer I
        [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],      // layer II
        [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],       // layer III
    ]
    private static let lowSampleRateBitrates: [[Int]] = [
        [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],      // layer I
        [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],           // layers II and III
    ]

    /// Parses and validates the header at the start of `bytes` (which may hold more).
    public init<C: Collection<UInt8>>(parsing bytes: C) throws(CodecError) {
        var r = RBSPReader(rbsp: Array(bytes.prefix(Self.headerLength)), structure: Self.structure)
        let sync = try r.u(11, "syncword")
        guard sync == 0x7FF else { throw .invalidValue(structure: Self.structure, field: "syncword", value: Int64(sync)) }
        let versionBits = UInt8(try r.u(2, "ID"))
        guard let version = Version(rawValue: versionBits) else {
            throw .invalidValue(structure: Self.structure, field: "ID", value: Int64(versionBits))
        }
        self.version = version
        let layerBits = try r.u(2, "layer")
        guard layerBits != 0 else { throw .invalidValue(structure: Self.structure, field: "layer", value: 0) }
        layer = 4 - Int(layerBits)
        hasCRC = try r.u(1, "protection_bit") == 0
        let bitrateIndex = Int(try r.u(4, "bitrate_index"))
        guard bitrateIndex != 15 else { throw .invalidValue(structure: Self.structure, field: "bitrate_index", value: 15) }
        guard bitrateIndex != 0 else { throw .unsupported(structure: Self.structure, feature: "free format (bitrate_index 0)") }
        let table = version == .mpeg1 ? Self.mpeg1Bitrates[layer - 1] : Self.lowSampleRateBitrates[min(layer, 2) - 1]
        bitrate = table[bitrateIndex - 1]
        let rateIndex = Int(try r.u(2, "sampling_frequency"))
        guard rateIndex < 3 else { throw .invalidValue(structure: Self.structure, field: "sampling_frequency", value: 3) }
        // MPEG-2 halves the MPEG-1 rates, MPEG-2.5 quarters them.
        sampleRate = Self.rates[rateIndex] >> (version == .mpeg1 ? 0 : version == .mpeg2 ? 1 : 2)
        padding = try r.flag("padding_bit")
        try r.skip(1, "private_bit")
        mode = UInt8(try r.u(2, "mode"))
    }

    public var channelCount: Int { mode == 3 ? 1 : 2 }

    /// PCM samples per channel in the frame (11172-3 2.4.3.1; 13818-3 2.4.3.1: LSF layer III
    /// frames hold one granule).
    public var samplesPerFrame: Int {
        switch layer {
        case 1: return 384
        case 2: return 1152
        default: return version == .mpeg1 ? 1152 : 576
        }
    }

    /// The whole frame in bytes, header included: slots of the bit rate over the frame's
    /// duration, plus the padding slot.
    public var frameLength: Int {
        let bitsPerSecond = bitrate * 1000
        if layer == 1 {
            return (12 * bitsPerSecond / Int(sampleRate) + (padding ? 1 : 0)) * Self.layerISlotBytes
        }
        return samplesPerFrame / 8 * bitsPerSecond / Int(sampleRate) + (padding ? 1 : 0)
    }

    /// Splits a run of whole frames (a TS PES payload, an FLV tag body) at their headers.
    /// A frame cut short at the end throws.
    public static func frames(in bytes: [UInt8]) throws(CodecError) -> [(header: MPEGAudioFrameHeader, frame: ArraySlice<UInt8>)] {
        try splitFrames(bytes, frameBodyField: "audio_data")
    }
}
