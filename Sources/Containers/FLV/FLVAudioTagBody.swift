import MediaCore

/// The body of an FLV audio tag: AAC, MP3 and G.711 in the legacy form, and AAC, Opus, AC-3,
/// E-AC-3 or MP3 in the enhanced (FourCC) form.
///
/// Legacy form (FLV spec v10.1, E.4.2.1 AUDIODATA): AAC with AACAUDIODATA, or MP3 and G.711,
/// whose data follows the header byte as it is.
/// ```
/// SoundFormat(4) SoundRate(2) SoundSize(1) SoundType(1) | [AACPacketType(8)] | data
/// ```
/// For AAC the rate, size and type bits are fixed (the spec: "always 3", "always 1"); the
/// AudioSpecificConfig in the sequence header says what the stream really is. MP3 frames
/// carry their own rate and channels (the header's are a hint: 48 kHz has no code and is
/// written as 44 kHz, as ffmpeg does); G.711 is 8 kHz with SoundType telling mono or stereo.
///
/// Enhanced form (Enhanced RTMP v2, ExAudioTagHeader and ExAudioTagBody):
/// ```
/// SoundFormat(4)=9 AudioPacketType(4) | { ModEx }... | [Multitrack: MultitrackType(4) AudioPacketType(4)]
/// [FourCC unless ManyTracksManyCodecs] | per track: [FourCC] [trackId(UI8)] [size(UI24)] data
/// ```
/// Sequence start data is the AudioSpecificConfig (mp4a) or the Opus ID header (OpusHead);
/// AC-3, E-AC-3 and MP3 have none (their frames describe themselves).
public struct FLVAudioTagBody: FLVTagBody, Equatable {
    public static let tagKind = FLVTag.Kind.audio

    public static let aacSoundFormat: UInt8 = 10
    public static let mp3SoundFormat: UInt8 = 2
    /// "MP3 8-Khz": read as MP3 (the frames say 8 kHz); never written.
    public static let mp3At8kHzSoundFormat: UInt8 = 14
    public static let alawSoundFormat: UInt8 = 7
    public static let mulawSoundFormat: UInt8 = 8
    /// SoundFormat ExHeader: the FourCC form.
    public static let exHeaderSoundFormat: UInt8 = 9
    /// The first byte every AAC tag carries: AAC, 44 kHz, 16-bit, stereo.
    public static let aacHeaderByte: UInt8 = 0xAF

    public enum Packet: Sendable, Equatable {
        /// AACPacketType 0 / AudioPacketType SequenceStart: the codec's configuration.
        case sequenceHeader([UInt8])
        /// AACPacketType 1 / AudioPacketType CodedFrames: one frame (or, for AC-3/MP3, the
        /// frames of one message), a slice of the parsed body (no copy).
        case raw(ArraySlice<UInt8>)
        /// Legacy MP3 or G.711: the header byte (format, rate, size, type bits) and the frames after it.
        case frames(header: UInt8, data: ArraySlice<UInt8>)
        /// AudioPacketType SequenceEnd.
        case sequenceEnd
        /// MultichannelConfig or a packet type this reader does not know.
        case other(packetType: UInt8)
    }

    /// Enhanced AudioPacketType values.
    enum ExPacketType: UInt8 {
        case sequenceStart = 0, codedFrames = 1, sequenceEnd = 2, multichannelConfig = 4, multitrack = 5, modEx = 7
    }

    public var codec: Codec
    public var packet: Packet
    /// Whether the body uses the ExAudioTagHeader.
    public var isEnhanced: Bool
    /// The Enhanced RTMP multitrack trackId; 0, the default track, outside multitrack.
    public var trackID: UInt8
    /// ModEx TimestampOffsetNano: nanoseconds after the message timestamp (under 1 ms).
    public var timestampOffsetNanoseconds: UInt32

    /// A legacy body: AAC, or MP3/G.711 as its header byte says.
    public init(packet: Packet) {
        var codec = Codec.aac
        if case let .frames(header, _) = packet { codec = Self.codec(ofSoundFormat: header >> 4) ?? .mp3 }
        self.init(codec: codec, packet: packet, isEnhanced: false)
    }

    public init(codec: Codec, packet: Packet, isEnhanced: Bool, trackID: UInt8 = 0, timestampOffsetNanoseconds: UInt32 = 0) {
        self.codec = codec
        self.packet = packet
        self.isEnhanced = isEnhanced
        self.trackID = trackID
        self.timestampOffsetNanoseconds = timestampOffsetNanoseconds
    }

    /// The FourCC of each codec the enhanced form carries here.
    static let fourCCs = FLVCodecFourCCs([(.aac, "mp4a"), (.opus, "Opus"), (.ac3, "ac-3"), (.eac3, "ec-3"), (.mp3, ".mp3")])

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

    /// Every packet of an audio message body: one, or one per track of a multitrack message.
    /// A track with an unknown FourCC is skipped when its size is given, refused otherwise;
    /// formats other than those above (ADPCM, Nellymoser, Speex, linear PCM, FLAC) throw
    /// `unsupportedCodec`.
    public static func packets(parsing bytes: [UInt8], at offset: Int64 = 0) throws(FLVError) -> [FLVAudioTagBody] {
        var r = ByteReader(bytes)
        func read<T: FixedWidthInteger>(_: T.Type, _ field: String) throws(FLVError) -> T {
            do { return try r.readInteger(T.self) } catch { throw .truncatedTagBody(.audio, field: field, at: offset) }
        }
        let first = try read(UInt8.self, "SoundFormat")
        let format = first >> 4
        if let codec = codec(ofSoundFormat: format), format != aacSoundFormat {
            return [FLVAudioTagBody(codec: codec, packet: .frames(header: first, data: r.readRemainingSlice()), isEnhanced: false)]
        }
        if format == aacSoundFormat {
            let packetType = try read(UInt8.self, "AACPacketType")
            switch packetType {
            case 0: return [FLVAudioTagBody(packet: .sequenceHeader(r.readRemainingBytes()))]
            case 1: return [FLVAudioTagBody(packet: .raw(r.readRemainingSlice()))]
            default: throw .unsupportedCodec("AACPacketType \(packetType)", at: offset)
            }
        }
        guard format == exHeaderSoundFormat else { throw .unsupportedCodec("audio SoundFormat \(format)", at: offset) }
        var packetType = first & 0x0F
        let nanoseconds: UInt32
        do {
            nanoseconds = try FLVModEx.read(&r, packetType: &packetType, modExCode: ExPacketType.modEx.rawValue)
        } catch {
            throw .truncatedTagBody(.audio, field: "ModEx", at: offset)
        }
        let list = try FLVExTrackList(&r, packetType: packetType, multitrackPacketType: ExPacketType.multitrack.rawValue,
                                      kind: .audio, at: offset, codecs: fourCCs)
        packetType = list.packetType
        var result: [FLVAudioTagBody] = []
        for entry in list.entries {
            var body = entry.body
            let packet: Packet
            switch ExPacketType(rawValue: packetType) {
            case .sequenceStart: packet = .sequenceHeader(body.readRemainingBytes())
            case .codedFrames: packet = .raw(body.readRemainingSlice())
            case .sequenceEnd: packet = .sequenceEnd
            case .multichannelConfig, .multitrack, .modEx, nil: packet = .other(packetType: packetType)
            }
            result.append(FLVAudioTagBody(codec: entry.codec, packet: packet, isEnhanced: true, trackID: entry.trackID,
                                          timestampOffsetNanoseconds: nanoseconds))
        }
        return result
    }

    /// The packet's bytes after the header: the configuration or the frame(s).
    public var data: ArraySlice<UInt8> {
        switch packet {
        case let .sequenceHeader(config): return config[...]
        case let .raw(frame): return frame
        case let .frames(_, data): return data
        case .sequenceEnd, .other: return []
        }
    }

    /// Everything before `data`: a file writer puts `data` after it without copying it. A
    /// packet of a track other than 0 is written as a OneTrack multitrack packet.
    public func writeHeader(to writer: inout ByteWriter) {
        guard isEnhanced else {
            switch packet {
            case let .frames(header, _):
                writer.write(header)
            case .raw:
                writer.write(Self.aacHeaderByte)
                writer.write(UInt8(1))
            case .sequenceHeader, .sequenceEnd, .other:
                writer.write(Self.aacHeaderByte)
                writer.write(UInt8(0))
            }
            return
        }
        let packetType: ExPacketType = switch packet {
        case .sequenceHeader: .sequenceStart
        case .raw, .frames: .codedFrames
        case .sequenceEnd, .other: .sequenceEnd
        }
        FLVExTrackList.writeHeader(headerBits: Self.exHeaderSoundFormat << 4, packetType: packetType.rawValue,
                                   multitrackPacketType: ExPacketType.multitrack.rawValue,
                                   fourCC: Self.fourCCs.fourCC(of: codec) ?? "mp4a", trackID: trackID, to: &writer)
    }
}
