import MediaCore

/// Turns FLV tag bodies into tracks and frames: the layer FLV files and RTMP share (an RTMP
/// audio, video or AMF0 data message is a tag body with its type and timestamp).
///
/// Video (H.264 legacy; H.264, H.265, AV1, VP9 enhanced; legacy CodecID 12 HEVC) is track 1,
/// audio (AAC, MP3, G.711 legacy; the enhanced FourCC codecs) track 2. Video and AAC are in
/// milliseconds (timescale 1000); MP3, G.711, AC-3, E-AC-3 and Opus in their sample rate, each
/// frame as long as its bitstream says (`AudioFrameClock`), a tag holding several frames
/// giving a frame each. Enhanced RTMP multitrack tracks other than trackId 0 get the next free track ids
/// (3, 4, ...) in the order they appear. A sequence header announces the track, or a new
/// sample description when it differs from every earlier one; AV1 and VP9 announce theirs at
/// the first key frame when the record lacks the sequence header (AV1) or the picture size
/// (VP9, whose vpcC has none), and a key frame of another size or sequence adds a description;
/// likewise an H.264/H.265 key frame whose in-band SPS/PPS/VPS differ from the record's.
/// Frames before their track's description cannot be decoded and are dropped (counted in
/// `droppedFrameCount`). AV1 and VP9 sync samples come from the bitstream, not the FLV
/// frame type. ModEx nanosecond offsets are below the millisecond timescale and not applied.
public struct FLVTagDemuxer: Sendable {
    /// FLV and RTMP timestamps are milliseconds.
    public static let timescale: UInt32 = 1000

    /// What one video track has seen: its codec, current description and framing.
    private struct VideoState: Sendable {
        var trackID: UInt32
        var codec: Codec?
        var index: UInt16?
        var lengthSize: NALUnitLengthSize = .four
        /// AV1/VP9: the record of the last sequence start, completed at a key frame.
        var record: [UInt8]?
        var current: SampleDescription?
    }

    private struct AudioState: Sendable {
        var trackID: UInt32
        var codec: Codec?
        var index: UInt16?
        /// Tracks timed in their sample rate (all but AAC).
        var clock: AudioFrameClock?
    }

    private var tracks = TrackTable()
    private var video: [UInt8: VideoState] = [:]
    private var audio: [UInt8: AudioState] = [:]
    private var nextTrackID: UInt32 = ContainerTrackID.audio + 1
    /// Frames dropped because no sequence header of their track came before them.
    public private(set) var droppedFrameCount = 0
    /// One clock for all tracks: audio and video share FLV's and RTMP's message clock (see
    /// TimestampUnwrapper).
    private var unwrapper = TimestampUnwrapper(bits: 32)
    private var timeline = TimelineNormalizer()

    public init() {}

    /// The tracks announced so far.
    public var trackDescriptions: [TrackDescription] { tracks.tracks.values.sorted { $0.trackID < $1.trackID } }

    /// The events of one tag.
    public mutating func demux(_ tag: FLVTag, at offset: Int64 = 0) throws(FLVError) -> [DemuxEvent] {
        try demux(tag.kind, timestamp: Int64(tag.timestamp), body: tag.body, at: offset)
    }

    /// The events of a tag body as it arrives in an FLV file or an RTMP message, at its 32-bit
    /// millisecond `timestamp`: the clock unwrapped past 2^32 ms, and frames moved onto the
    /// stream's monotonic timeline (`TimelineNormalizer`, with `.discontinuity` where it jumped).
    public mutating func demuxArriving(_ kind: FLVTag.Kind, timestamp: UInt32, body: [UInt8],
                                       at offset: Int64 = 0) throws(FLVError) -> [DemuxEvent] {
        // Script data (onMetaData, usually at 0) does not move the clock: only media does.
        let time = kind == .scriptData ? Int64(timestamp) : unwrapper.unwrap(UInt64(timestamp))
        var events: [DemuxEvent]
        do {
            events = try demux(kind, timestamp: time, body: body, at: offset)
        } catch .unsupportedCodec(let codec, _) where Self.namesACodec(codec) {
            // Every tag of that codec would say so again: said once, its tags then skipped.
            guard refusedCodecs.insert(codec).inserted else { return [] }
            return [.unrecordable(UnrecordableTrack(name: "\(kind)", reason: "\(codec) cannot be recorded"))]
        }
        timeline.apply(&events)
        return events
    }

    /// Codecs already announced as `.unrecordable`.
    private var refusedCodecs: Set<String> = []

    /// Whether an `unsupportedCodec` text names a codec (a track that cannot be recorded), not
    /// a packet kind to skip.
    static func namesACodec(_ text: String) -> Bool {
        ["SoundFormat", "CodecID", "FourCC"].contains { text.contains($0) }
    }

    /// The events of one tag body of `kind` at `timestamp` (milliseconds, already unwrapped
    /// by the caller). `offset` locates the tag in errors.
    public mutating func demux(_ kind: FLVTag.Kind, timestamp: Int64, body: [UInt8],
                               at offset: Int64 = 0) throws(FLVError) -> [DemuxEvent] {
        switch kind {
        case .video:
            var events: [DemuxEvent] = []
            for packet in try FLVVideoTagBody.packets(parsing: body, at: offset) {
                events += try demuxVideo(packet, timestamp: timestamp, at: offset)
            }
            return events
        case .audio:
            var events: [DemuxEvent] = []
            for packet in try FLVAudioTagBody.packets(parsing: body, at: offset) {
                events += try demuxAudio(packet, timestamp: timestamp, at: offset)
            }
            return events
        case .scriptData:
            let script = try FLVScriptData(parsing: body, at: offset)
            guard script.name == FLVScriptData.onMetaData, let dictionary = script.dictionary else { return [] }
            return [.metadata(dictionary)]
        }
    }

    private mutating func videoState(_ trackID: UInt8) -> VideoState {
        if let state = video[trackID] { return state }
        let state = VideoState(trackID: trackID == 0 ? ContainerTrackID.video : allocateTrackID())
        video[trackID] = state
        return state
    }

    private mutating func allocateTrackID() -> UInt32 {
        defer { nextTrackID += 1 }
        return nextTrackID
    }

    private mutating func demuxVideo(_ body: FLVVideoTagBody, timestamp: Int64, at offset: Int64) throws(FLVError) -> [DemuxEvent] {
        guard body.frameType != .command else { return [] }
        var state = videoState(body.trackID)
        defer { video[body.trackID] = state }
        switch body.packet {
        case let .sequenceStart(record):
            do {
                switch body.codec {
                case .h264:
                    state.lengthSize = try AVCDecoderConfigurationRecord(parsing: record).nalUnitLengthSize
                    return try announce(.h264(configuration: record), &state, at: offset)
                case .h265:
                    state.lengthSize = try HEVCDecoderConfigurationRecord(parsing: record).nalUnitLengthSize
                    return try announce(.h265(configuration: record), &state, at: offset)
                case .av1:
                    state.record = record
                    state.codec = .av1
                    guard try AV1CodecConfigurationRecord(parsing: record).sequenceHeader() != nil else {
                        state.index = nil   // the sequence header comes with the next key frame
                        return []
                    }
                    return try announce(.av1(configuration: record), &state, at: offset)
                case .vp9:
                    _ = try VPCodecConfigurationRecord(parsing: record)
                    state.record = record
                    state.codec = .vp9
                    if let current = state.current, current.codec == .vp9 {
                        var next = current
                        next.configuration = record
                        return try announce(next, &state, at: offset)
                    }
                    return []
                default:
                    throw FLVError.unsupportedCodec("video \(body.codec)", at: offset)
                }
            } catch let error as FLVError {
                throw error
            } catch let error as CodecError {
                throw .codec(error, at: offset)
            } catch {
                throw .unsupportedCodec("\(error)", at: offset)
            }
        case let .codedFrames(compositionTime, data):
            guard state.codec == body.codec, !data.isEmpty else {
                if !data.isEmpty { droppedFrameCount += 1 }
                return []
            }
            do throws(CodecError) {
                switch body.codec {
                // Their parsers take arrays: one copy, of these codecs' frames only.
                case .av1: return try av1Frame(Array(data), timestamp: timestamp, &state, at: offset)
                case .vp9: return try vp9Frame(Array(data), timestamp: timestamp, &state, at: offset)
                default: break
                }
            } catch {
                throw .codec(error, at: offset)
            }
            guard state.index != nil else {
                droppedFrameCount += 1
                return []
            }
            let keyframe = body.frameType == .keyframe || body.frameType == .generatedKeyframe
            let payload: ArraySlice<UInt8>
            var events: [DemuxEvent] = []
            do {
                let units = try NALUnit.splitLengthPrefixed(data, lengthSize: state.lengthSize)
                // 4-byte lengths, as MP4 stores them: the payload is the body's slice, not a copy.
                payload = state.lengthSize == .four ? data : try NALUnit.lengthPrefixed(units)[...]
                if keyframe, let description = try Self.inBandChange(units, codec: body.codec, current: state.current) {
                    events = try announce(description, &state, at: offset)
                }
            } catch let error as CodecError {
                throw .codec(error, at: offset)
            } catch let error as FLVError {
                throw error
            } catch {
                throw .unsupportedCodec("\(error)", at: offset)
            }
            return events + [.frame(MediaFrame(trackID: state.trackID, dts: timestamp, pts: timestamp + Int64(compositionTime),
                                               isKeyframe: keyframe, sampleDescriptionIndex: state.index!, payload: payload))]
        case .sequenceEnd, .other:
            return []
        }
    }

    /// A key frame that carries parameter sets in band (an encoder that changes resolution
    /// without sending a new sequence header) other than the current record's: the record
    /// they make, with the current one's PPS/VPS where the frame has none. The frame keeps
    /// them too, as it came. Nil when the frame has no SPS or the same ones.
    static func inBandChange(_ units: [ArraySlice<UInt8>], codec: Codec,
                             current: SampleDescription?) throws(CodecError) -> SampleDescription? {
        guard let current, current.codec == codec else { return nil }
        var vps: [[UInt8]] = [], sps: [[UInt8]] = [], pps: [[UInt8]] = []
        for unit in units {
            if codec == .h264 {
                switch H264NALUnitType(nalUnit: unit) {
                case .sequenceParameterSet: sps.append(Array(unit))
                case .pictureParameterSet: pps.append(Array(unit))
                default: continue
                }
            } else {
                switch H265NALUnitType(nalUnit: unit) {
                case .videoParameterSet: vps.append(Array(unit))
                case .sequenceParameterSet: sps.append(Array(unit))
                case .pictureParameterSet: pps.append(Array(unit))
                default: continue
                }
            }
        }
        guard !sps.isEmpty else { return nil }
        if codec == .h264 {
            let record = try AVCDecoderConfigurationRecord(parsing: current.configuration)
            guard sps != record.sequenceParameterSets || (!pps.isEmpty && pps != record.pictureParameterSets) else { return nil }
            let built = try AVCDecoderConfigurationRecord(sequenceParameterSets: sps, pictureParameterSets: pps.isEmpty ? record.pictureParameterSets : pps)
            return try .h264(configuration: built.serialized())
        }
        let record = try HEVCDecoderConfigurationRecord(parsing: current.configuration)
        let known = (vps: record.nalUnits(ofType: .videoParameterSet), sps: record.nalUnits(ofType: .sequenceParameterSet),
                     pps: record.nalUnits(ofType: .pictureParameterSet))
        guard sps != known.sps || (!pps.isEmpty && pps != known.pps) || (!vps.isEmpty && vps != known.vps) else { return nil }
        let built = try HEVCDecoderConfigurationRecord(videoParameterSets: vps.isEmpty ? known.vps : vps, sequenceParameterSets: sps,
                                                       pictureParameterSets: pps.isEmpty ? known.pps : pps)
        return try .h265(configuration: built.serialized())
    }

    /// An AV1 temporal unit: a key frame whose sequence header differs in what a sample entry
    /// says (size, profile, depth, chroma) from the current one starts a new description.
    private mutating func av1Frame(_ data: [UInt8], timestamp: Int64, _ state: inout VideoState,
                                   at offset: Int64) throws(CodecError) -> [DemuxEvent] {
        let unit = try AV1TemporalUnit(parsing: data)
        let sync = unit.isSyncSample
        var events: [DemuxEvent] = []
        if sync, let obu = unit.sequenceHeaderOBU {
            let inBand = try AV1SequenceHeader(payload: obu.payload)
            var current: AV1SequenceHeader?
            if let description = state.current { current = try AV1CodecConfigurationRecord(parsing: description.configuration).sequenceHeader() }
            if current.map({ !Self.sameEntry($0, inBand) }) ?? true {
                do { events = try announce(.av1(sequenceHeaderOBU: obu), &state, at: offset) } catch {
                    throw .unsupported(structure: "AV1 track", feature: "\(error)")
                }
            }
        }
        guard let index = state.index else {
            droppedFrameCount += 1
            return []
        }
        return events + [.frame(MediaFrame(trackID: state.trackID, dts: timestamp, pts: timestamp, isKeyframe: sync,
                                           sampleDescriptionIndex: index, payload: unit.sampleBytes()))]
    }

    private static func sameEntry(_ a: AV1SequenceHeader, _ b: AV1SequenceHeader) -> Bool {
        a.maxFrameWidth == b.maxFrameWidth && a.maxFrameHeight == b.maxFrameHeight && a.seqProfile == b.seqProfile
            && a.bitDepth == b.bitDepth && a.monochrome == b.monochrome && a.subsamplingX == b.subsamplingX
            && a.subsamplingY == b.subsamplingY
    }

    /// A VP9 frame or superframe: a key frame of another size than the current description's
    /// starts a new one (with the last vpcC, or one built from the key frame).
    private mutating func vp9Frame(_ data: [UInt8], timestamp: Int64, _ state: inout VideoState,
                                   at offset: Int64) throws(CodecError) -> [DemuxEvent] {
        let sync = VP9Superframe.isKeyFrame(data)
        var events: [DemuxEvent] = []
        if sync, let header = try VP9Superframe.keyFrameHeader(data) {
            let record: [UInt8]
            if let known = state.record { record = known } else { record = try VPCodecConfigurationRecord(keyFrame: header).serialized() }
            let description = try SampleDescription.vp9(configuration: record, keyFrame: header)
            if description != state.current {
                do { events = try announce(description, &state, at: offset) } catch {
                    throw .unsupported(structure: "VP9 track", feature: "\(error)")
                }
            }
        }
        guard let index = state.index else {
            droppedFrameCount += 1
            return []
        }
        return events + [.frame(MediaFrame(trackID: state.trackID, dts: timestamp, pts: timestamp, isKeyframe: sync,
                                           sampleDescriptionIndex: index, payload: data))]
    }

    private mutating func announce(_ description: SampleDescription, _ state: inout VideoState,
                                   at offset: Int64) throws(FLVError) -> [DemuxEvent] {
        let (index, event) = try register(description, trackID: state.trackID, timescale: Self.timescale, at: offset)
        state.index = index
        state.codec = description.codec
        state.current = description
        return event.map { [$0] } ?? []
    }

    private mutating func demuxAudio(_ body: FLVAudioTagBody, timestamp: Int64, at offset: Int64) throws(FLVError) -> [DemuxEvent] {
        var state = audio[body.trackID] ?? AudioState(trackID: body.trackID == 0 ? ContainerTrackID.audio : allocateTrackID())
        defer { audio[body.trackID] = state }
        switch body.packet {
        case let .sequenceHeader(config):
            guard let description = try Self.audioDescription(body.codec, sequenceStart: config, at: offset) else { return [] }
            let timescale = body.codec == .aac ? Self.timescale : tracks.tracks[state.trackID]?.timescale ?? description.sampleRate
            let (index, event) = try register(description, trackID: state.trackID, timescale: timescale, at: offset)
            state.index = index
            state.codec = body.codec
            return event.map { [$0] } ?? []
        case let .raw(frame) where body.codec == .aac:
            guard let index = state.index, state.codec == .aac else {
                droppedFrameCount += 1
                return []
            }
            guard !frame.isEmpty else { return [] }
            return [.frame(MediaFrame(trackID: state.trackID, dts: timestamp, pts: timestamp,
                                      isKeyframe: true, sampleDescriptionIndex: index, payload: frame))]
        case let .raw(data) where body.codec == .opus:
            guard !data.isEmpty else { return [] }
            guard let index = state.index, state.codec == .opus,
                  let description = tracks.tracks[state.trackID]?.sampleDescriptions[Int(index) - 1] else {
                droppedFrameCount += 1
                return []
            }
            let samples: Int
            do { samples = try description.samplesPerFrame(data) ?? 0 } catch { throw .codec(error, at: offset) }
            return try timedFrames([(description, data, samples)], timestamp: timestamp, &state, at: offset)
        case let .raw(data):
            // AC-3, E-AC-3 and MP3 describe themselves in every frame; a message may hold several.
            guard !data.isEmpty else { return [] }
            return try timedFrames(Self.selfDescribingFrames(body.codec, data, at: offset), timestamp: timestamp, &state, at: offset)
        case let .frames(header, data):
            guard !data.isEmpty else { return [] }
            return try timedFrames(Self.legacyFrames(header: header, data: data, at: offset), timestamp: timestamp, &state, at: offset)
        case .sequenceEnd, .other:
            return []
        }
    }

    /// The frames of an enhanced AC-3, E-AC-3 or MP3 message, each with the description its
    /// header gives and its length in samples.
    /// (The frame splitters take arrays: the message is copied once, its frames are slices of
    /// that copy.)
    static func selfDescribingFrames(_ codec: Codec, _ data: ArraySlice<UInt8>,
                                     at offset: Int64) throws(FLVError) -> [(SampleDescription, ArraySlice<UInt8>, Int)] {
        let data = Array(data)
        do throws(CodecError) {
            switch codec {
            case .ac3:
                return try AC3SyncFrameHeader.frames(in: data).map { (.ac3(header: $0.header), $0.frame, AC3SyncFrameHeader.samplesPerFrame) }
            case .eac3:
                return try EAC3SyncFrameHeader.frames(in: data).map { item throws(CodecError) in
                    (try .eac3(header: item.header), item.frame, item.header.samplesPerFrame)
                }
            case .mp3:
                return try MPEGAudioFrameHeader.frames(in: data).map { item throws(CodecError) in
                    (try .mp3(header: item.header), item.frame, item.header.samplesPerFrame)
                }
            default:
                throw .unsupported(structure: "FLV audio", feature: "codec \(codec)")
            }
        } catch {
            throw .codec(error, at: offset)
        }
    }

    /// Legacy MP3 (split at its frame headers, each its own description source) or G.711 (the
    /// whole tag is one frame: 8 kHz, SoundType says the channels).
    static func legacyFrames(header: UInt8, data: ArraySlice<UInt8>, at offset: Int64) throws(FLVError) -> [(SampleDescription, ArraySlice<UInt8>, Int)] {
        if FLVAudioTagBody.codec(ofSoundFormat: header >> 4) == .mp3 { return try selfDescribingFrames(.mp3, data, at: offset) }
        let description = SampleDescription.g711(header >> 4 == FLVAudioTagBody.mulawSoundFormat ? .pcmMulaw : .pcmAlaw,
                                                 channelCount: header & 1 == 1 ? 2 : 1)
        return [(description, data, data.count / Int(description.channelCount))]
    }

    /// Frames timed in the track's sample rate (its first description's), from the message's
    /// millisecond time for the first and from the samples before it for the rest.
    private mutating func timedFrames(_ units: [(description: SampleDescription, payload: ArraySlice<UInt8>, samples: Int)],
                                      timestamp: Int64, _ state: inout AudioState, at offset: Int64) throws(FLVError) -> [DemuxEvent] {
        var events: [DemuxEvent] = []
        var containerTime: Int64? = timestamp
        for unit in units {
            let timescale = tracks.tracks[state.trackID]?.timescale ?? unit.description.sampleRate
            let (index, event) = try register(unit.description, trackID: state.trackID, timescale: timescale, at: offset)
            state.index = index
            state.codec = unit.description.codec
            if let event { events.append(event) }
            if state.clock == nil { state.clock = AudioFrameClock(sampleRate: timescale, containerTimescale: Self.timescale) }
            // A rate change mid-stream keeps the track's first rate as its timescale.
            let samples = TimescaleConversion.rescale(Int64(unit.samples), from: unit.description.sampleRate, to: timescale)
            guard let time = state.clock?.time(of: containerTime, samples: Int(samples)) else { continue }
            containerTime = nil
            events.append(.frame(MediaFrame(trackID: state.trackID, dts: time, pts: time, isKeyframe: true,
                                            sampleDescriptionIndex: index, payload: unit.payload)))
        }
        return events
    }

    /// The description a sequence start gives: the AudioSpecificConfig (AAC) or OpusHead
    /// (Opus; an empty one means plain stereo, Enhanced RTMP v2); nil for codecs that have none
    /// (AC-3, E-AC-3, MP3: their frames describe themselves).
    static func audioDescription(_ codec: Codec, sequenceStart config: [UInt8], at offset: Int64) throws(FLVError) -> SampleDescription? {
        do throws(CodecError) {
            switch codec {
            case .aac: return try .aac(audioSpecificConfig: config)
            case .opus where config.isEmpty:
                return .opus(header: OpusIdentificationHeader(channelCount: 2, preSkip: 0, inputSampleRate: OpusIdentificationHeader.sampleRate))
            case .opus: return .opus(header: try OpusIdentificationHeader(opusHead: config))
            default: return nil
            }
        } catch {
            throw .codec(error, at: offset)
        }
    }

    private mutating func register(_ description: SampleDescription, trackID: UInt32, timescale: UInt32,
                                   at offset: Int64) throws(FLVError) -> (UInt16, DemuxEvent?) {
        guard let result = tracks.index(of: description, trackID: trackID, timescale: timescale) else {
            let existing = tracks.tracks[trackID]
            if let existing, existing.codec != description.codec {
                throw .unsupportedCodec("\(description.codec) after \(existing.codec) in track \(trackID)", at: offset)
            }
            throw .limitExceeded(field: "sample descriptions of track \(trackID)",
                                 value: TrackTable.maxSampleDescriptions + 1, limit: TrackTable.maxSampleDescriptions)
        }
        return result
    }
}
