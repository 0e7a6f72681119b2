import MediaCore

/// The body of an FLV video tag: H.264 or H.265 in the legacy form, and H.264, H.265, AV1 or
/// VP9 in the enhanced form.
///
/// Legacy form (FLV spec v10.1, E.4.3.1 VIDEODATA with AVCVIDEOPACKET; CodecID 12 is the
/// widespread non-standard HEVC extension with the same layout):
/// ```
/// FrameType(4) CodecID(4)=7 | AVCPacketType(8) | CompositionTime(SI24, ms) | data
/// ```
/// Enhanced form (Enhanced RTMP v2, ExVideoTagHeader and ExVideoTagBody):
/// ```
/// IsExHeader(1)=1 FrameType(3) PacketType(4)
/// { ModEx: size-1 (UI8, or 0xFF then UI16) | data | ModExType(4) PacketType(4) }...
/// [Multitrack: MultitrackType(4) PacketType(4)] [FourCC unless ManyTracksManyCodecs]
/// per track: [FourCC if ManyTracksManyCodecs] [trackId(UI8)] [size(UI24) unless OneTrack]
///            [CompositionTime(SI24): CodedFrames of avc1/hvc1 only] data
/// ```
/// Sequence start data is the codec's configuration record (avcC, hvcC, av1C or vpcC body);
/// H.264/H.265 frames are length-prefixed NAL units, AV1 frames OBUs, VP9 frames as encoded.
/// One message may carry several packets (multitrack): `packets(parsing:)` returns them all.
public struct FLVVideoTagBody: FLVTagBody, Equatable {
    public static let tagKind = FLVTag.Kind.video

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
        /// the frame and its composition time offset in milliseconds. The frame is a slice of
        /// the parsed body (no copy).
        case codedFrames(compositionTime: Int32, data: ArraySlice<UInt8>)
        /// AVCPacketType 2 / PacketType SequenceEnd.
        case sequenceEnd
        /// A packet carrying no frame: an enhanced Metadata or MPEG2TSSequenceStart packet, a
        /// command frame (FrameType 5), or a packet type this reader does not know.
        case other(packetType: UInt8)
    }

    /// Legacy CodecID values.
    public static let avcCodecID: UInt8 = 7
    public static let legacyHEVCCodecID: UInt8 = 12
    /// Enhanced PacketType values (Enhanced RTMP v2, VideoPacketType).
    enum ExPacketType: UInt8 {
        case sequenceStart = 0, codedFrames = 1, sequenceEnd = 2, codedFramesX = 3, metadata = 4
        case mpeg2TSSequenceStart = 5, multitrack = 6, modEx = 7
    }

    public var codec: Codec
    public var frameType: FrameType
    public var packet: Packet
    /// Whether the body uses the ExVideoTagHeader.
    public var isEnhanced: Bool
    /// The Enhanced RTMP multitrack trackId; 0, the default track, outside multitrack.
    public var trackID: UInt8
    /// ModEx TimestampOffsetNano: nanoseconds after the message timestamp (under 1 ms).
    public var timestampOffsetNanoseconds: UInt32

    public init(codec: Codec, frameType: FrameType, packet: Packet, isEnhanced: Bool, trackID: UInt8 = 0,
                timestampOffsetNanoseconds: UInt32 = 0) {
        self.codec = codec
        self.frameType = frameType
        self.packet = packet
        self.isEnhanced = isEnhanced
        self.trackID = trackID
        self.timestampOffsetNanoseconds = timestampOffsetNanoseconds
    }

    /// The form this module writes: legacy for H.264, enhanced for the others.
    public init(codec: Codec, frameType: FrameType, packet: Packet) {
        self.init(codec: codec, frameType: frameType, packet: packet, isEnhanced: codec != .h264)
    }

    /// The FourCC of each codec the enhanced form carries here.
    static let fourCCs = FLVCodecFourCCs([(.h264, "avc1"), (.h265, "hvc1"), (.av1, "av01"), (.vp9, "vp09")])

    /// Every packet of a video message body, in order: one, or one per track of a multitrack
    /// message. A track whose FourCC this reader does not know is skipped when its size is
    /// given (ManyTracks forms) and refused otherwise.
    public static func packets(parsing bytes: [UInt8], at offset: Int64 = 0) throws(FLVError) -> [FLVVideoTagBody] {
        var r = ByteReader(bytes)
        func read<T: FixedWidthInteger>(_: T.Type, _ field: String) throws(FLVError) -> T {
            do { return try r.readInteger(T.self) } catch { throw .truncatedTagBody(.video, field: field, at: offset) }
        }
        let first = try read(UInt8.self, "FrameType")
        guard first & 0x80 != 0 else { return [try legacy(first, &r, at: offset)] }
        let frameType = FrameType(rawValue: (first >> 4) & 0x07) ?? .interframe
        var packetType = first & 0x0F
        var nanoseconds: UInt32 = 0
        do {
            nanoseconds = try FLVModEx.read(&r, packetType: &packetType, modExCode: ExPacketType.modEx.rawValue)
        } catch {
            throw .truncatedTagBody(.video, field: "ModEx", at: offset)
        }
        if frameType == .command && packetType != ExPacketType.metadata.rawValue {
            // A command frame carries a VideoCommand byte and no FourCC or frame.
            return [FLVVideoTagBody(codec: .h264, frameType: frameType, packet: .other(packetType: packetType), isEnhanced: true)]
        }
        let list = try FLVExTrackList(&r, packetType: packetType, multitrackPacketType: ExPacketType.multitrack.rawValue,
                                      kind: .video, at: offset, codecs: fourCCs)
        packetType = list.packetType
        var result: [FLVVideoTagBody] = []
        for entry in list.entries {
            let trackID = entry.trackID
            var body = entry.body
            let packet: Packet
            switch ExPacketType(rawValue: packetType) {
            case .sequenceStart:
                packet = .sequenceStart(body.readRemainingBytes())
            case .codedFrames where entry.codec == .h264 || entry.codec == .h265:
                let high: UInt16, low: UInt8
                do { high = try body.readInteger(); low = try body.readInteger() } catch {
                    throw .truncatedTagBody(.video, field: "CompositionTime", at: offset)
                }
                packet = .codedFrames(compositionTime: signed24(UInt32(high) << 8 | UInt32(low)), data: body.readRemainingSlice())
            case .codedFrames, .codedFramesX:
                packet = .codedFrames(compositionTime: 0, data: body.readRemainingSlice())
            case .sequenceEnd:
                packet = .sequenceEnd
            case .metadata, .mpeg2TSSequenceStart, .multitrack, .modEx, nil:
                packet = .other(packetType: packetType)
            }
            result.append(FLVVideoTagBody(codec: entry.codec, frameType: frameType, packet: packet, isEnhanced: true,
                                          trackID: trackID, timestampOffsetNanoseconds: nanoseconds))
        }
        return result
    }

    private static func legacy(_ first: UInt8, _ r: inout ByteReader, at offset: Int64) throws(FLVError) -> FLVVideoTagBody {
        func read<T: FixedWidthInteger>(_: T.Type, _ field: String) throws(FLVError) -> T {
            do { return try r.readInteger(T.self) } catch { throw .truncatedTagBody(.video, field: field, at: offset) }
        }
        let codecID = first & 0x0F
        guard let frameType = FrameType(rawValue: first >> 4) else {
            throw .unsupportedCodec("video FrameType \(first >> 4)", at: offset)
        }
        let codec: Codec
        switch codecID {
        case Self.avcCodecID: codec = .h264
        case Self.legacyHEVCCodecID: codec = .h265
        default: throw .unsupportedCodec("video CodecID \(codecID)", at: offset)
        }
        if frameType == .command {
            return FLVVideoTagBody(codec: codec, frameType: frameType, packet: .other(packetType: 0), isEnhanced: false)
        }
        let packetType = try read(UInt8.self, "AVCPacketType")
        let composition = Self.signed24(UInt32(try read(UInt16.self, "CompositionTime")) << 8
                                        | UInt32(try read(UInt8.self, "CompositionTime")))
        let packet: Packet
        switch packetType {
        case 0: packet = .sequenceStart(r.readRemainingBytes())
        case 1: packet = .codedFrames(compositionTime: composition, data: r.readRemainingSlice())
        case 2: packet = .sequenceEnd
        default: packet = .other(packetType: packetType)
        }
        return FLVVideoTagBody(codec: codec, frameType: frameType, packet: packet, isEnhanced: false)
    }

    /// CompositionTime is SI24; offsets beyond it (2.3 hours) are clamped.
    public static let compositionTimeRange: ClosedRange<Int32> = -(1 << 23)...((1 << 23) - 1)

    /// The packet's bytes after the header: the decoder configuration record or the frame.
    public var data: ArraySlice<UInt8> {
        switch packet {
        case let .sequenceStart(record): return record[...]
        case let .codedFrames(_, data): return data
        case .sequenceEnd, .other: return []
        }
    }

    /// Everything before `data`: a file writer puts `data` after it without copying it. A
    /// packet of a track other than 0 is written as a OneTrack multitrack packet.
    public func writeHeader(to writer: inout ByteWriter) {
        if isEnhanced {
            let hasCompositionTime = codec == .h264 || codec == .h265
            let (packetType, composition): (ExPacketType, Int32?) = switch packet {
            case .sequenceStart: (.sequenceStart, nil)
            case let .codedFrames(cts, _) where hasCompositionTime: cts == 0 ? (.codedFramesX, nil) : (.codedFrames, cts)
            case .codedFrames: (.codedFrames, nil)
            case .sequenceEnd, .other: (.sequenceEnd, nil)
            }
            // IsExHeader, then FrameType.
            FLVExTrackList.writeHeader(headerBits: 0x80 | (frameType.rawValue & 0x07) << 4, packetType: packetType.rawValue,
                                       multitrackPacketType: ExPacketType.multitrack.rawValue,
                                       fourCC: Self.fourCCs.fourCC(of: codec) ?? "avc1", trackID: trackID, to: &writer)
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


    static func signed24(_ raw: UInt32) -> Int32 {
        Int32(bitPattern: raw << 8) >> 8
    }

    static func writeSigned24(_ value: Int32, to writer: inout ByteWriter) {
        let clamped = min(max(value, compositionTimeRange.lowerBound), compositionTimeRange.upperBound)
        writer.writeUInt(UInt64(UInt32(bitPattern: clamped) & 0xFF_FFFF), byteCount: 3)
    }
}
