/// The header of an ADTS frame, how AAC travels in MPEG-TS and raw .aac files
/// (ISO/IEC 13818-7 6.2, ISO/IEC 14496-3 1.A.2.2): 7 bytes, or 9 with a CRC.
///
/// ```
/// syncword(12)=0xFFF ID(1) layer(2)=0 protection_absent(1) | profile(2) sampling_frequency_index(4)
/// private(1) channel_configuration(3) original/copy(1) home(1) | copyright_id_bit(1) copyright_id_start(1)
/// aac_frame_length(13) adts_buffer_fullness(11) number_of_raw_data_blocks_in_frame(2) | [crc(16)]
/// ```
public struct ADTSHeader: Sendable, Equatable {
    public static let syncWord: UInt32 = 0xFFF
    /// aac_frame_length is 13 bits and counts the header.
    public static let maxFrameLength = (1 << 13) - 1
    /// adts_buffer_fullness value meaning variable bit rate.
    public static let variableBitRateFullness: UInt16 = 0x7FF

    /// ID: false MPEG-4, true MPEG-2 (13818-7). Both carry the same AAC.
    public var isMPEG2: Bool
    public var protectionAbsent: Bool
    /// profile_ObjectType: audioObjectType - 1 (0 Main, 1 LC, 2 SSR, 3 LTP).
    public var profile: UInt8
    /// 0...12 (Table 1.18); 13...15 cannot appear in ADTS.
    public var samplingFrequencyIndex: UInt8
    public var privateBit: Bool
    /// 0...7; 0 means a PCE in the frame defines the channels.
    public var channelConfiguration: UInt8
    public var originalCopy: Bool
    public var home: Bool
    public var copyrightIdentificationBit: Bool
    public var copyrightIdentificationStart: Bool
    /// aac_frame_length: header, CRC and raw data, in bytes.
    public var frameLength: Int
    public var bufferFullness: UInt16
    /// number_of_raw_data_blocks_in_frame + 1: AAC frames in this ADTS frame.
    public var rawDataBlockCount: Int
    /// crc_check, present when protection is.
    public var crc: UInt16?

    private static let structure = "ADTS header"

    /// Parses and validates the header at the start of `bytes` (which may hold more).
    public init(parsing bytes: [UInt8]) throws(CodecError) {
        var r = RBSPReader(rbsp: Array(bytes.prefix(9)), structure: Self.structure)
        let sync = try r.u(12, "syncword")
        guard sync == Self.syncWord else {
            throw .invalidValue(structure: Self.structure, field: "syncword", value: Int64(sync))
        }
        isMPEG2 = try r.flag("ID")
        let layer = try r.u(2, "layer")
        guard layer == 0 else { throw .invalidValue(structure: Self.structure, field: "layer", value: Int64(layer)) }
        protectionAbsent = try r.flag("protection_absent")
        profile = UInt8(try r.u(2, "profile_ObjectType"))
        samplingFrequencyIndex = UInt8(try r.u(4, "sampling_frequency_index"))
        guard Int(samplingFrequencyIndex) < AudioSpecificConfig.SamplingFrequency.table.count else {
            throw .invalidValue(structure: Self.structure, field: "sampling_frequency_index", value: Int64(samplingFrequencyIndex))
        }
        privateBit = try r.flag("private_bit")
        channelConfiguration = UInt8(try r.u(3, "channel_configuration"))
        originalCopy = try r.flag("original_copy")
        home = try r.flag("home")
        copyrightIdentificationBit = try r.flag("copyright_identification_bit")
        copyrightIdentificationStart = try r.flag("copyright_identification_start")
        frameLength = Int(try r.u(13, "aac_frame_length"))
        bufferFullness = UInt16(try r.u(11, "adts_buffer_fullness"))
        rawDataBlockCount = Int(try r.u(2, "number_of_raw_data_blocks_in_frame")) + 1
        crc = protectionAbsent ? nil : UInt16(try r.u(16, "crc_check"))
        guard frameLength >= headerLength else {
            throw .invalidValue(structure: Self.structure, field: "aac_frame_length", value: Int64(frameLength))
        }
    }

    /// A header (no CRC, MPEG-4, VBR) for one raw AAC frame of `payloadLength` bytes in the
    /// format `config` describes. Only AAC Main/LC/SSR/LTP at a table rate with
    /// channelConfiguration 0...7 fits ADTS.
    public init(audioSpecificConfig config: AudioSpecificConfig, payloadLength: Int) throws(CodecError) {
        guard (1...4).contains(config.audioObjectType) else {
            throw .unsupported(structure: Self.structure, feature: "audioObjectType \(config.audioObjectType)")
        }
        guard config.samplingFrequency.index != AudioSpecificConfig.SamplingFrequency.explicitIndex else {
            throw .unsupported(structure: Self.structure, feature: "explicit sampling frequency \(config.samplingFrequency.hertz)")
        }
        guard config.channelConfiguration <= 7 else {
            throw .unsupported(structure: Self.structure, feature: "channelConfiguration \(config.channelConfiguration)")
        }
        guard payloadLength >= 0, payloadLength <= Self.maxFrameLength - 7 else {
            throw .limitExceeded(structure: Self.structure, field: "aac_frame_length", value: payloadLength + 7, limit: Self.maxFrameLength)
        }
        isMPEG2 = false
        protectionAbsent = true
        profile = config.audioObjectType - 1
        samplingFrequencyIndex = config.samplingFrequency.index
        privateBit = false
        channelConfiguration = config.channelConfiguration
        originalCopy = false
        home = false
        copyrightIdentificationBit = false
        copyrightIdentificationStart = false
        frameLength = payloadLength + 7
        bufferFullness = Self.variableBitRateFullness
        rawDataBlockCount = 1
        crc = nil
    }

    /// 7 without CRC, 9 with.
    public var headerLength: Int { protectionAbsent ? 7 : 9 }
    /// The raw data after the header.
    public var payloadLength: Int { frameLength - headerLength }

    public var sampleRate: UInt32 {
        let table = AudioSpecificConfig.SamplingFrequency.table
        return Int(samplingFrequencyIndex) < table.count ? table[Int(samplingFrequencyIndex)] : 0
    }

    /// The AudioSpecificConfig an MP4 needs for this stream (the 2-byte form).
    public func audioSpecificConfig() throws(CodecError) -> AudioSpecificConfig {
        AudioSpecificConfig(audioObjectType: (profile & 0x03) + 1,
                            samplingFrequency: try AudioSpecificConfig.SamplingFrequency(index: samplingFrequencyIndex),
                            channelConfiguration: channelConfiguration)
    }

    /// The header's 7 or 9 bytes. Fields are truncated to their widths.
    public func serialized() -> [UInt8] {
        var w = BitWriter()
        w.write(UInt64(Self.syncWord), bits: 12)
        w.writeBit(isMPEG2)
        w.write(0, bits: 2)
        w.writeBit(protectionAbsent)
        w.write(UInt64(profile), bits: 2)
        w.write(UInt64(samplingFrequencyIndex), bits: 4)
        w.writeBit(privateBit)
        w.write(UInt64(channelConfiguration), bits: 3)
        w.writeBit(originalCopy)
        w.writeBit(home)
        w.writeBit(copyrightIdentificationBit)
        w.writeBit(copyrightIdentificationStart)
        w.write(UInt64(max(0, frameLength)), bits: 13)
        w.write(UInt64(bufferFullness), bits: 11)
        w.write(UInt64(max(1, rawDataBlockCount) - 1), bits: 2)
        if !protectionAbsent { w.write(UInt64(crc ?? 0), bits: 16) }
        return w.bytes
    }

    /// Splits a run of ADTS frames (a TS audio PES payload, an .aac file) into headers and
    /// raw payloads. A frame cut short at the end throws.
    public static func frames(in bytes: [UInt8]) throws(CodecError) -> [(header: ADTSHeader, payload: ArraySlice<UInt8>)] {
        var frames: [(header: ADTSHeader, payload: ArraySlice<UInt8>)] = []
        var offset = 0
        while offset < bytes.count {
            let header = try ADTSHeader(parsing: Array(bytes[offset..<min(bytes.count, offset + 9)]))
            guard header.frameLength <= bytes.count - offset else {
                throw .truncated(structure: structure, field: "raw_data_block",
                                 .truncated(needed: header.frameLength, remaining: bytes.count - offset, at: offset))
            }
            frames.append((header, bytes[(offset + header.headerLength)..<(offset + header.frameLength)]))
            offset += header.frameLength
        }
        return frames
    }
}
