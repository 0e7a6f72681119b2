import MediaCore

/// The body of an FLV audio tag (FLV spec v10.1, E.4.2.1 AUDIODATA): AAC with AACAUDIODATA,
/// or MP3 and G.711, whose data follows the header byte as it is.
///
/// ```
/// SoundFormat(4) SoundRate(2) SoundSize(1) SoundType(1) | [AACPacketType(8)] | data
/// ```
/// For AAC the rate, size and type bits are fixed (the spec: "always 3", "always 1"); the
/// AudioSpecificConfig in the sequence header says what the stream really is. MP3 frames
/// carry their own rate and channels (the header's are a hint: 48 kHz has no code and is
/// written as 44 kHz, as ffmpeg does); G.711 is 8 kHz with SoundType telling mono or stereo.
public struct FLVAudioTagBody: Sendable, Equatable {
    public static let aacSoundFormat: UInt8 = 10
    public static let mp3SoundFormat: UInt8 = 2
    /// "MP3 8-Khz": read as MP3 (the frames say 8 kHz); never written.
    public static let mp3At8kHzSoundFormat: UInt8 = 14
    public static let alawSoundFormat: UInt8 = 7
    public static let mulawSoundFormat: UInt8 = 8
    /// The first byte every AAC tag carries: AAC, 44 kHz, 16-bit, stereo.
    public static let aacHeaderByte: UInt8 = 0xAF

    public enum Packet: Sendable, Equatable {
        /// AACPacketType 0: the AudioSpecificConfig.
        case sequenceHeader([UInt8])
        /// AACPacketType 1: one raw AAC frame.
        case raw([UInt8])
        /// MP3 or G.711: the header byte (format, rate, size, type bits) and the frames after it.
        case frames(header: UInt8, data: [UInt8])
    }

    public var packet: Packet

    public init(packet: Packet) {
        self.packet = packet
    }

    /// Parses an audio tag body; formats other than AAC, MP3 and G.711 throw `unsupportedCodec`.
    public init(parsing bytes: [UInt8], at offset: Int64 = 0) throws(FLVError) {
        guard let first = bytes.first else { throw .truncatedTagBody(.audio, field: "SoundFormat", at: offset) }
        let format = first >> 4
        if Self.codec(ofSoundFormat: format) != nil && format != Self.aacSoundFormat {
            packet = .frames(header: first, data: Array(bytes[1...]))
            return
        }
        guard format == Self.aacSoundFormat else { throw .unsupportedCodec("audio SoundFormat \(format)", at: offset) }
        guard bytes.count >= 2 else { throw .truncatedTagBody(.audio, field: "AACPacketType", at: offset) }
        switch bytes[1] {
        case 0: packet = .sequenceHeader(Array(bytes[2...]))
        case 1: packet = .raw(Array(bytes[2...]))
        default: throw .unsupportedCodec("AACPacketType \(bytes[1])", at: offset)
        }
    }

    /// The codec of a SoundFormat this project records; nil for the others (ADPCM, Nellymoser,
    /// Speex, linear PCM...).
    public static func codec(ofSoundFormat format: UInt8) -> Codec? {
        switch format {
        case aacSoundFormat: return .aac
        case mp3SoundFormat, mp3At8kHzSoundFormat: return .mp3
        case alawSoundFormat: return .pcmAlaw
        case mulawSoundFormat: return .pcmMulaw
        default: return nil
        }
    }

    /// The header byte of a `.frames` tag for `description` (MP3 or G.711), as ffmpeg writes
    /// it; the reason FLV cannot carry it otherwise.
    public static func framesHeader(for description: SampleDescription) throws(FLVError) -> UInt8 {
        let stereo: UInt8 = description.channelCount >= 2 ? 1 : 0
        switch description.codec {
        case .mp3:
            // SoundRate 0...3: 5.5, 11, 22, 44 kHz; 48 kHz MP3 is labelled 44 kHz. Readers take
            // the real rate from the frames.
            let rate: UInt8 = description.sampleRate >= 44100 ? 3 : description.sampleRate >= 22050 ? 2
                : description.sampleRate >= 11025 ? 1 : 0
            return mp3SoundFormat << 4 | rate << 2 | 0x02 | stereo
        case .pcmMulaw, .pcmAlaw:
            guard description.sampleRate == SampleDescription.g711SampleRate else {
                throw .unsupportedCodec("\(description.codec) at \(description.sampleRate) Hz (FLV's G.711 is 8 kHz)", at: 0)
            }
            let format = description.codec == .pcmMulaw ? mulawSoundFormat : alawSoundFormat
            return format << 4 | 0x02 | stereo     // SoundRate 0 and 16-bit, as ffmpeg writes them
        default:
            throw .unsupportedCodec("\(description.codec) audio (FLV carries AAC, MP3 and G.711 only; MP4 and TS carry \(description.codec))", at: 0)
        }
    }

    public func write(to writer: inout ByteWriter) {
        writeHeader(to: &writer)
        writer.write(bytes: data)
    }

    /// The packet's bytes after the header: the AudioSpecificConfig or the frame.
    public var data: [UInt8] {
        switch packet {
        case let .sequenceHeader(config): return config
        case let .raw(frame): return frame
        case let .frames(_, data): return data
        }
    }

    /// Everything before `data`: a file writer puts `data` after it without copying it.
    public func writeHeader(to writer: inout ByteWriter) {
        switch packet {
        case .sequenceHeader:
            writer.write(Self.aacHeaderByte)
            writer.write(UInt8(0))
        case .raw:
            writer.write(Self.aacHeaderByte)
            writer.write(UInt8(1))
        case let .frames(header, _):
            writer.write(header)
        }
    }

    public func serialized() -> [UInt8] {
        var writer = ByteWriter()
        write(to: &writer)
        return writer.bytes
    }
}
