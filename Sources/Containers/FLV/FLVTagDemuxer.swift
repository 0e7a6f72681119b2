import MediaCore

/// Turns FLV tag bodies into tracks and frames: the layer FLV files and RTMP share (an RTMP
/// audio, video or AMF0 data message is a tag body with its type and timestamp).
///
/// Video (H.264 legacy, H.265 enhanced or legacy CodecID 12) is track 1, AAC track 2, both
/// in milliseconds (timescale 1000). MP3 and G.711 (track 2) are in their sample rate, each
/// frame as long as its bitstream says (`AudioFrameClock`); a tag holding several MP3 frames
/// gives a frame each. A sequence header announces the track, or a new sample
/// description when it differs from every earlier one; frames before the first sequence
/// header of their track cannot be decoded and are dropped (counted in `droppedFrameCount`).
public struct FLVTagDemuxer: Sendable {
    /// FLV and RTMP timestamps are milliseconds.
    public static let timescale: UInt32 = 1000

    private var tracks = TrackTable()
    private var video: (index: UInt16, codec: Codec, lengthSize: NALUnitLengthSize)?
    private var audioIndex: UInt16?
    /// MP3 and G.711 tracks: frames timed in the track's sample rate.
    private var audioClock: AudioFrameClock?
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
        case .video: return try demuxVideo(FLVVideoTagBody(parsing: body, at: offset), timestamp: timestamp, at: offset)
        case .audio: return try demuxAudio(FLVAudioTagBody(parsing: body, at: offset), timestamp: timestamp, at: offset)
        case .scriptData:
            let script = try FLVScriptData(parsing: body, at: offset)
            guard script.name == FLVScriptData.onMetaData, let dictionary = script.dictionary else { return [] }
            return [.metadata(dictionary)]
        }
    }

    private mutating func demuxVideo(_ body: FLVVideoTagBody, timestamp: Int64, at offset: Int64) throws(FLVError) -> [DemuxEvent] {
        switch body.packet {
        case let .sequenceStart(record):
            let description: SampleDescription
            let lengthSize: NALUnitLengthSize
            do {
                if body.codec == .h264 {
                    lengthSize = try AVCDecoderConfigurationRecord(parsing: record).nalUnitLengthSize
                    description = try .h264(configuration: record)
                } else {
                    lengthSize = try HEVCDecoderConfigurationRecord(parsing: record).nalUnitLengthSize
                    description = try .h265(configuration: record)
                }
            } catch {
                throw .codec(error, at: offset)
            }
            let (index, event) = try register(description, trackID: ContainerTrackID.video, timescale: Self.timescale, at: offset)
            video = (index, body.codec, lengthSize)
            return event.map { [$0] } ?? []
        case let .codedFrames(compositionTime, data):
            guard let video, video.codec == body.codec else {
                droppedFrameCount += 1
                return []
            }
            guard !data.isEmpty else { return [] }
            let payload: [UInt8]
            do {
                let units = try NALUnit.splitLengthPrefixed(data, lengthSize: video.lengthSize)
                payload = video.lengthSize == .four ? data : try NALUnit.lengthPrefixed(units)
            } catch {
                throw .codec(error, at: offset)
            }
            let keyframe = body.frameType == .keyframe || body.frameType == .generatedKeyframe
            return [.frame(MediaFrame(trackID: ContainerTrackID.video, dts: timestamp,
                                      pts: timestamp + Int64(compositionTime), isKeyframe: keyframe,
                                      sampleDescriptionIndex: video.index, payload: payload))]
        case .sequenceEnd, .other:
            return []
        }
    }

    private mutating func demuxAudio(_ body: FLVAudioTagBody, timestamp: Int64, at offset: Int64) throws(FLVError) -> [DemuxEvent] {
        switch body.packet {
        case let .sequenceHeader(config):
            let description: SampleDescription
            do { description = try .aac(audioSpecificConfig: config) } catch { throw .codec(error, at: offset) }
            let (index, event) = try register(description, trackID: ContainerTrackID.audio, timescale: Self.timescale, at: offset)
            audioIndex = index
            return event.map { [$0] } ?? []
        case let .raw(frame):
            guard let audioIndex else {
                droppedFrameCount += 1
                return []
            }
            guard !frame.isEmpty else { return [] }
            return [.frame(MediaFrame(trackID: ContainerTrackID.audio, dts: timestamp, pts: timestamp,
                                      isKeyframe: true, sampleDescriptionIndex: audioIndex, payload: frame))]
        case let .frames(header, data):
            guard !data.isEmpty else { return [] }
            return try demuxAudioFrames(header: header, data: data, timestamp: timestamp, at: offset)
        }
    }

    /// MP3 (split at its frame headers, each its own description source) or G.711 (the whole
    /// tag is one frame: 8 kHz, SoundType says the channels).
    private mutating func demuxAudioFrames(header: UInt8, data: [UInt8], timestamp: Int64, at offset: Int64) throws(FLVError) -> [DemuxEvent] {
        var units: [(description: SampleDescription, payload: [UInt8], samples: Int)] = []
        do throws(CodecError) {
            if FLVAudioTagBody.codec(ofSoundFormat: header >> 4) == .mp3 {
                for (frameHeader, frame) in try MPEGAudioFrameHeader.frames(in: data) {
                    units.append((try .mp3(header: frameHeader), Array(frame), frameHeader.samplesPerFrame))
                }
            } else {
                let description = SampleDescription.g711(header >> 4 == FLVAudioTagBody.mulawSoundFormat ? .pcmMulaw : .pcmAlaw,
                                                         channelCount: header & 1 == 1 ? 2 : 1)
                units.append((description, data, data.count / Int(description.channelCount)))
            }
        } catch {
            throw .codec(error, at: offset)
        }
        var events: [DemuxEvent] = []
        var containerTime: Int64? = timestamp
        for unit in units {
            let timescale = tracks.tracks[ContainerTrackID.audio]?.timescale ?? unit.description.sampleRate
            let (index, event) = try register(unit.description, trackID: ContainerTrackID.audio, timescale: timescale, at: offset)
            if let event { events.append(event) }
            if audioClock == nil { audioClock = AudioFrameClock(sampleRate: timescale, containerTimescale: Self.timescale) }
            // A rate change mid-stream keeps the track's first rate as its timescale.
            let samples = TimescaleConversion.rescale(Int64(unit.samples), from: unit.description.sampleRate, to: timescale)
            guard let time = audioClock?.time(of: containerTime, samples: Int(samples)) else { continue }
            containerTime = nil
            events.append(.frame(MediaFrame(trackID: ContainerTrackID.audio, dts: time, pts: time, isKeyframe: true,
                                            sampleDescriptionIndex: index, payload: unit.payload)))
        }
        return events
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
