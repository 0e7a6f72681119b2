import MediaCore

/// The body of an FLV audio tag carrying AAC (FLV spec v10.1, E.4.2.1 AUDIODATA with
/// AACAUDIODATA):
///
/// ```
/// SoundFormat(4)=10 SoundRate(2)=3 SoundSize(1)=1 SoundType(1)=1 | AACPacketType(8) | data
/// ```
/// For AAC the rate, size and type bits are fixed (the spec: "always 3", "always 1"); the
/// AudioSpecificConfig in the sequence header says what the stream really is.
public struct FLVAudioTagBody: Sendable, Equatable {
    public static let aacSoundFormat: UInt8 = 10
    /// The first byte every AAC tag carries: AAC, 44 kHz, 16-bit, stereo.
    public static let aacHeaderByte: UInt8 = 0xAF

    public enum Packet: Sendable, Equatable {
        /// AACPacketType 0: the AudioSpecificConfig.
        case sequenceHeader([UInt8])
        /// AACPacketType 1: one raw AAC frame.
        case raw([UInt8])
    }

    public var packet: Packet

    public init(packet: Packet) {
        self.packet = packet
    }

    /// Parses an audio tag body; formats other than AAC throw `unsupportedCodec`.
    public init(parsing bytes: [UInt8], at offset: Int64 = 0) throws(FLVError) {
        guard let first = bytes.first else { throw .truncatedTagBody(.audio, field: "SoundFormat", at: offset) }
        let format = first >> 4
        guard format == Self.aacSoundFormat else { throw .unsupportedCodec("audio SoundFormat \(format)", at: offset) }
        guard bytes.count >= 2 else { throw .truncatedTagBody(.audio, field: "AACPacketType", at: offset) }
        switch bytes[1] {
        case 0: packet = .sequenceHeader(Array(bytes[2...]))
        case 1: packet = .raw(Array(bytes[2...]))
        default: throw .unsupportedCodec("AACPacketType \(bytes[1])", at: offset)
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
        }
    }

    /// Everything before `data`: a file writer puts `data` after it without copying it.
    public func writeHeader(to writer: inout ByteWriter) {
        writer.write(Self.aacHeaderByte)
        switch packet {
        case .sequenceHeader: writer.write(UInt8(0))
        case .raw: writer.write(UInt8(1))
        }
    }

    public func serialized() -> [UInt8] {
        var writer = ByteWriter()
        write(to: &writer)
        return writer.bytes
    }
}
