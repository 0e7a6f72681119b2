import MediaCore

/// The body of an FLV video tag for H.264 or H.265.
///
/// Legacy form (FLV spec v10.1, E.4.3.1 VIDEODATA with AVCVIDEOPACKET; CodecID 12 is the
/// widespread non-standard HEVC extension with the same layout):
/// ```
/// FrameType(4) CodecID(4)=7 | AVCPacketType(8) | CompositionTime(SI24, ms) | data
/// ```
/// Enhanced form (Enhanced RTMP v1, ExVideoTagHeader), which this writer uses for HEVC:
/// ```
/// IsExHeader(1)=1 FrameType(3) PacketType(4) | FourCC ('hvc1' or 'avc1') | [CompositionTime(SI24) for CodedFrames] | data
/// ```
/// Sequence start data is an AVC/HEVC decoder configuration record; coded frames are
/// length-prefixed NAL units of the record's length size.
public struct FLVVideoTagBody: Sendable, Equatable {
    /// FrameType (E.4.3.1).
    public enum FrameType: UInt8, Sendable, Equatable {
        case keyframe = 1
        case interframe = 2
        case disposableInterframe = 3
        case generatedKeyframe = 4
        case command = 5
    }

    public enum Packet: Sendable, Equatable {
        /// AVCPacketType 0 / PacketType SequenceStart: the decoder configuration record.
        case sequenceStart([UInt8])
        /// AVCPacketType 1 / PacketType CodedFrames (or CodedFramesX, composition time 0):
        /// NAL units and the composition time offset in milliseconds.
        case codedFrames(compositionTime: Int32, data: [UInt8])
        /// AVCPacketType 2 / PacketType SequenceEnd.
        case sequenceEnd
        /// A packet carrying no frame: an enhanced Metadata or MPEG2TSSequenceStart packet, a
        /// command frame (FrameType 5), or a packet type this reader does not know.
        case other(packetType: UInt8)
    }

    /// Legacy CodecID values.
    public static let avcCodecID: UInt8 = 7
    public static let legacyHEVCCodecID: UInt8 = 12
    /// Enhanced PacketType values (Enhanced RTMP v1).
    enum ExPacketType: UInt8 {
        case sequenceStart = 0, codedFrames = 1, sequenceEnd = 2, codedFramesX = 3, metadata = 4
        case mpeg2TSSequenceStart = 5
    }

    public var codec: Codec
    public var frameType: FrameType
    public var packet: Packet
    /// Whether the body uses the ExVideoTagHeader.
    public var isEnhanced: Bool

    public init(codec: Codec, frameType: FrameType, packet: Packet, isEnhanced: Bool) {
        self.codec = codec
        self.frameType = frameType
        self.packet = packet
        self.isEnhanced = isEnhanced
    }

    /// The form this module writes: legacy for H.264, enhanced ('hvc1') for H.265.
    public init(codec: Codec, frameType: FrameType, packet: Packet) {
        self.init(codec: codec, frameType: frameType, packet: packet, isEnhanced: codec == .h265)
    }

    /// Parses a video tag body. `offset` locates the tag in errors.
    public init(parsing bytes: [UInt8], at offset: Int64 = 0) throws(FLVError) {
        var r = ByteReader(bytes)
        func read<T: FixedWidthInteger>(_: T.Type, _ field: String) throws(FLVError) -> T {
            do { return try r.readInteger(T.self) } catch { throw .truncatedTagBody(.video, field: field, at: offset) }
        }
        let first = try read(UInt8.self, "FrameType")
        isEnhanced = first & 0x80 != 0
        if isEnhanced {
            let rawFrameType = (first >> 4) & 0x07
            frameType = FrameType(rawValue: rawFrameType) ?? .interframe
            let packetType = first & 0x0F
            if frameType == .command && packetType != ExPacketType.metadata.rawValue {
                // A command frame carries a VideoCommand byte and no FourCC or frame.
                codec = .h264
                packet = .other(packetType: packetType)
                return
            }
            let fourCC = FourCC(rawValue: try read(UInt32.self, "FourCC"))
            switch fourCC {
            case "hvc1": codec = .h265
            case "avc1": codec = .h264
            default: throw .unsupportedCodec("video FourCC '\(fourCC)'", at: offset)
            }
            switch ExPacketType(rawValue: packetType) {
            case .sequenceStart:
                packet = .sequenceStart(r.readRemainingBytes())
            case .codedFrames:
                let composition = Self.signed24(UInt32(try read(UInt16.self, "CompositionTime")) << 8
                                                | UInt32(try read(UInt8.self, "CompositionTime")))
                packet = .codedFrames(compositionTime: composition, data: r.readRemainingBytes())
            case .codedFramesX:
                packet = .codedFrames(compositionTime: 0, data: r.readRemainingBytes())
            case .sequenceEnd:
                packet = .sequenceEnd
            case .metadata, .mpeg2TSSequenceStart, nil:
                packet = .other(packetType: packetType)
            }
            return
        }
        let codecID = first & 0x0F
        guard let type = FrameType(rawValue: first >> 4) else {
            throw .unsupportedCodec("video FrameType \(first >> 4)", at: offset)
        }
        frameType = type
        switch codecID {
        case Self.avcCodecID: codec = .h264
        case Self.legacyHEVCCodecID: codec = .h265
        default: throw .unsupportedCodec("video CodecID \(codecID)", at: offset)
        }
        if frameType == .command {
            packet = .other(packetType: 0)
            return
        }
        let packetType = try read(UInt8.self, "AVCPacketType")
        let composition = Self.signed24(UInt32(try read(UInt16.self, "CompositionTime")) << 8
                                        | UInt32(try read(UInt8.self, "CompositionTime")))
        switch packetType {
        case 0: packet = .sequenceStart(r.readRemainingBytes())
        case 1: packet = .codedFrames(compositionTime: composition, data: r.readRemainingBytes())
        case 2: packet = .sequenceEnd
        default: packet = .other(packetType: packetType)
        }
    }

    /// CompositionTime is SI24; offsets beyond it (2.3 hours) are clamped.
    public static let compositionTimeRange: ClosedRange<Int32> = -(1 << 23)...((1 << 23) - 1)

    public func write(to writer: inout ByteWriter) {
        writeHeader(to: &writer)
        writer.write(bytes: data)
    }

    /// The packet's bytes after the header: the decoder configuration record or the frame.
    public var data: [UInt8] {
        switch packet {
        case let .sequenceStart(record): return record
        case let .codedFrames(_, data): return data
        case .sequenceEnd, .other: return []
        }
    }

    /// Everything before `data`: a file writer puts `data` after it without copying it.
    public func writeHeader(to writer: inout ByteWriter) {
        if isEnhanced {
            let (packetType, composition): (ExPacketType, Int32?) = switch packet {
            case .sequenceStart: (.sequenceStart, nil)
            case let .codedFrames(cts, _): cts == 0 ? (.codedFramesX, nil) : (.codedFrames, cts)
            case .sequenceEnd, .other: (.sequenceEnd, nil)
            }
            writer.write(UInt8(0x80 | (frameType.rawValue & 0x07) << 4 | packetType.rawValue))
            writer.write(codec == .h265 ? FourCC("hvc1") : FourCC("avc1"))
            if let composition { Self.writeSigned24(composition, to: &writer) }
        } else {
            writer.write(UInt8(frameType.rawValue << 4 | (codec == .h265 ? Self.legacyHEVCCodecID : Self.avcCodecID)))
            switch packet {
            case .sequenceStart: writer.write(UInt8(0)); Self.writeSigned24(0, to: &writer)
            case let .codedFrames(cts, _): writer.write(UInt8(1)); Self.writeSigned24(cts, to: &writer)
            case .sequenceEnd, .other: writer.write(UInt8(2)); Self.writeSigned24(0, to: &writer)
            }
        }
    }

    public func serialized() -> [UInt8] {
        var writer = ByteWriter()
        write(to: &writer)
        return writer.bytes
    }

    static func signed24(_ raw: UInt32) -> Int32 {
        Int32(bitPattern: raw << 8) >> 8
    }

    static func writeSigned24(_ value: Int32, to writer: inout ByteWriter) {
        let clamped = min(max(value, compositionTimeRange.lowerBound), compositionTimeRange.upperBound)
        writer.writeUInt(UInt64(UInt32(bitPattern: clamped) & 0xFF_FFFF), byteCount: 3)
    }
}
