import MediaCore

/// Turns frames into FLV tags: the layer FLV files and RTMP share. Before the first frame of
/// a track, and whenever a frame's sample description differs from the last one sent for its
/// track, the sequence header (avcC, hvcC, av1C, vpcC, AudioSpecificConfig or OpusHead) goes
/// first. MP3 and G.711 have none; AC-3 and E-AC-3 an empty one.
///
/// H.264 and AAC use the legacy packets, MP3 and G.711 the legacy SoundFormats; H.265, AV1,
/// VP9, Opus, AC-3 and E-AC-3 the Enhanced RTMP FourCC packets. Timestamps
/// are converted from the track timescale to milliseconds, rounding to nearest. FLV cannot
/// hold negative times: with `startsAtZero` the first frame's decoding time becomes 0 and
/// everything moves with it (a recording starts at 0, as ffmpeg's avoid_negative_ts does);
/// otherwise times are kept and only a negative start is moved to 0. A decoding time still
/// negative after that (a track starting earlier than the first frame written) is clamped
/// to 0, its composition time kept.
public struct FLVTagMuxer: Sendable {
    public struct Options: Sendable, Equatable {
        public var startsAtZero: Bool

        public init(startsAtZero: Bool = true) {
            self.startsAtZero = startsAtZero
        }
    }

    /// The video and the audio track (at most one each: FLV has one stream of each).
    public private(set) var videoTrack: TrackDescription?
    public private(set) var audioTrack: TrackDescription?
    private let options: Options
    private var sent: [UInt32: UInt16] = [:]
    /// Milliseconds subtracted from every timestamp, fixed by the first frame.
    public private(set) var originMilliseconds: Int64?

    public init(tracks: [TrackDescription], options: Options = Options()) throws(FLVError) {
        var video: TrackDescription?
        var audio: TrackDescription?
        for track in tracks {
            guard !track.sampleDescriptions.isEmpty else {
                throw .unknownTrack(trackID: track.trackID, sampleDescriptionIndex: 1)
            }
            guard track.timescale > 0 else {
                throw .limitExceeded(field: "timescale of track \(track.trackID)", value: 0, limit: 0)
            }
            guard track.sampleDescriptions.allSatisfy({ $0.codec == track.codec }) else {
                throw .unsupportedCodec("track \(track.trackID) mixes codecs", at: 0)
            }
            if track.kind == .video {
                guard video == nil else { throw .unsupportedCodec("a second video track (\(track.trackID))", at: 0) }
                video = track
            } else {
                guard audio == nil else { throw .unsupportedCodec("a second audio track (\(track.trackID))", at: 0) }
                if track.codec != .aac && FLVAudioTagBody.fourCCs.fourCC(of: track.codec) == nil || track.codec == .mp3 {
                    // MP3 and G.711 in the legacy form; Opus, AC-3 and E-AC-3 have no legacy
                    // SoundFormat and go in the enhanced (FourCC) one.
                    for description in track.sampleDescriptions { _ = try FLVAudioTagBody.framesHeader(for: description) }
                }
                audio = track
            }
        }
        videoTrack = video
        audioTrack = audio
        self.options = options
    }

    /// Adds a sample description to a track mid-stream (a new SPS or audio format); frames
    /// that use it carry the returned index.
    public mutating func addSampleDescription(_ description: SampleDescription, toTrack trackID: UInt32) throws(FLVError) -> UInt16 {
        guard let index = TrackPair.appendDescription(description, toTrack: trackID, video: &videoTrack, audio: &audioTrack) else {
            throw .unknownTrack(trackID: trackID, sampleDescriptionIndex: 0)
        }
        return index
    }

    /// The tags for `frame`, in order: a sequence header when needed, then the frame.
    public mutating func tags(for frame: MediaFrame) throws(FLVError) -> [FLVTag] {
        let tag = try frameTag(for: frame)
        var tags = tag.sequenceHeader.map { [$0] } ?? []
        var body = ByteWriter(capacity: tag.bodyHeader.count + tag.data.count)
        body.write(bytes: tag.bodyHeader.bytes)
        body.write(bytes: tag.data)
        tags.append(FLVTag(kind: tag.kind, timestamp: tag.timestamp, body: body.bytes))
        return tags
    }

    /// The bytes `frame` adds to a file, in three parts so that the payload, nearly all of
    /// them, goes to the file without being copied (one `writev`): `head` holds a sequence
    /// header tag and its PreviousTagSize when one is due, then the frame tag's header and
    /// body header; `payload` is the frame's own bytes (its slice); `tail` is the PreviousTagSize.
    public struct FileBytes: Sendable {
        public var head: [UInt8]
        public var payload: ArraySlice<UInt8>
        public var tail: [UInt8]
        public var count: Int { head.count + payload.count + tail.count }
        /// The three parts joined (a copy).
        public var joined: [UInt8] { head + payload + tail }
    }

    /// See `FileBytes`.
    public mutating func fileBytes(for frame: MediaFrame) throws(FLVError) -> FileBytes {
        let tag = try frameTag(for: frame)
        var head = ByteWriter(capacity: 64 + (tag.sequenceHeader?.body.count ?? 0))
        try tag.sequenceHeader?.write(to: &head)
        let bodySize = tag.bodyHeader.count + tag.data.count
        try FLVTag.writeHeader(kind: tag.kind, bodySize: bodySize, timestamp: tag.timestamp, to: &head)
        head.write(bytes: tag.bodyHeader.bytes)
        var tail = ByteWriter(capacity: FLVTag.previousTagSizeSize)
        tail.write(UInt32(FLVTag.headerSize + bodySize))
        return FileBytes(head: head.bytes, payload: tag.data, tail: tail.bytes)
    }

    /// What both forms are made of: the sequence header tag when one is due, then the frame
    /// tag's kind, timestamp, body header and the data after it (the frame's payload).
    private mutating func frameTag(for frame: MediaFrame) throws(FLVError)
        -> (sequenceHeader: FLVTag?, kind: FLVTag.Kind, timestamp: UInt32, bodyHeader: ByteWriter, data: ArraySlice<UInt8>) {
        guard let track = TrackPair.track(for: frame, video: videoTrack, audio: audioTrack) else {
            throw .unknownTrack(trackID: frame.trackID, sampleDescriptionIndex: frame.sampleDescriptionIndex)
        }
        let description = track.sampleDescriptions[Int(frame.sampleDescriptionIndex) - 1]
        let (dts, pts) = milliseconds(of: frame, timescale: track.timescale)
        let kind: FLVTag.Kind = track.kind == .video ? .video : .audio
        let timestamp = UInt32(truncatingIfNeeded: dts)
        var sequenceHeader: FLVTag?
        if sent[track.trackID] != frame.sampleDescriptionIndex {
            if description.codec.kind == .video || description.codec == .aac || Self.isEnhancedAudio(description.codec) {
                sequenceHeader = FLVTag(kind: kind, timestamp: timestamp, body: try Self.sequenceHeader(description))
            }
            sent[track.trackID] = frame.sampleDescriptionIndex
        }
        var bodyHeader = ByteWriter(capacity: 8)
        if track.kind == .video {
            let composition = Int32(clamping: pts - dts)
            FLVVideoTagBody(codec: description.codec, frameType: frame.isKeyframe ? .keyframe : .interframe,
                            packet: .codedFrames(compositionTime: composition, data: [])).writeHeader(to: &bodyHeader)
        } else if description.codec == .aac {
            FLVAudioTagBody(packet: .raw([])).writeHeader(to: &bodyHeader)
        } else if Self.isEnhancedAudio(description.codec) {
            FLVAudioTagBody(codec: description.codec, packet: .raw([]), isEnhanced: true).writeHeader(to: &bodyHeader)
        } else {
            // MP3 and G.711 need no sequence header: each tag's first byte says the format.
            FLVAudioTagBody(packet: .frames(header: try FLVAudioTagBody.framesHeader(for: description), data: [])).writeHeader(to: &bodyHeader)
        }
        return (sequenceHeader, kind, timestamp, bodyHeader, frame.payload)
    }

    /// Opus, AC-3 and E-AC-3: written in the Enhanced RTMP v2 FourCC form ('Opus', 'ac-3',
    /// 'ec-3'), which ffmpeg 6.1+ reads and 5.1 does not.
    static func isEnhancedAudio(_ codec: Codec) -> Bool {
        codec == .opus || codec == .ac3 || codec == .eac3
    }

    /// The frame's decoding and presentation times in milliseconds as written (dts >= 0).
    public mutating func milliseconds(of frame: MediaFrame, timescale: UInt32) -> (dts: Int64, pts: Int64) {
        let dts = TimescaleConversion.rescale(frame.dts, from: timescale, to: FLVTagDemuxer.timescale)
        let pts = TimescaleConversion.rescale(frame.pts, from: timescale, to: FLVTagDemuxer.timescale)
        let origin: Int64
        if let originMilliseconds {
            origin = originMilliseconds
        } else {
            origin = options.startsAtZero ? dts : min(0, dts)
            originMilliseconds = origin
        }
        let shiftedDTS = dts &- origin
        let shiftedPTS = pts &- origin
        return (max(0, shiftedDTS), shiftedPTS)
    }

    /// The sequence header body of `description`: the record with 4-byte NAL unit lengths
    /// (the length `MediaFrame` payloads use), the av1C/vpcC body, or the AudioSpecificConfig.
    static func sequenceHeader(_ description: SampleDescription) throws(FLVError) -> [UInt8] {
        do throws(CodecError) {
            switch description.codec {
            case .h264:
                let record = try AVCDecoderConfigurationRecord.withFourByteLengths(description.configuration)
                return FLVVideoTagBody(codec: .h264, frameType: .keyframe, packet: .sequenceStart(record)).serialized()
            case .h265:
                let record = try HEVCDecoderConfigurationRecord.withFourByteLengths(description.configuration)
                return FLVVideoTagBody(codec: .h265, frameType: .keyframe, packet: .sequenceStart(record)).serialized()
            case .aac:
                return FLVAudioTagBody(packet: .sequenceHeader(description.configuration)).serialized()
            case .av1, .vp9:
                // Enhanced form (FourCC av01/vp09): the av1C or vpcC body as MP4 holds it.
                return FLVVideoTagBody(codec: description.codec, frameType: .keyframe,
                                       packet: .sequenceStart(description.configuration)).serialized()
            case .opus:
                // Enhanced RTMP v2: the Opus sequence start is the ID header (OpusHead).
                let head = try OpusIdentificationHeader(opusSpecificBox: description.configuration).opusHead()
                return FLVAudioTagBody(codec: .opus, packet: .sequenceHeader(head), isEnhanced: true).serialized()
            case .ac3, .eac3:
                // Empty, as ffmpeg 9 writes it: the frames describe themselves.
                return FLVAudioTagBody(codec: description.codec, packet: .sequenceHeader([]), isEnhanced: true).serialized()
            case .mp3, .pcmMulaw, .pcmAlaw:
                throw CodecError.unsupported(structure: "FLV sequence header", feature: "codec \(description.codec)")
            }
        } catch {
            throw .codec(error, at: 0)
        }
    }
}
