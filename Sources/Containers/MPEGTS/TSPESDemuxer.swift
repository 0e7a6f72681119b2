import MediaCore

/// Turns complete PES packets of a program's H.264, H.265 and AAC streams into tracks and
/// frames: Annex B access units to MP4 samples with their parameter sets moved into the
/// sample description, ADTS frames to raw AAC with an AudioSpecificConfig.
///
/// Video (track 1) keeps the 90 kHz clock. Audio (track 2) is in its sample rate: each AAC
/// frame's time is its PES's PTS (converted, rounding to nearest) plus 1024 samples per frame
/// before it in the PES; a PES without a PTS continues from the previous frame. MP3, AC-3,
/// E-AC-3 (split at their frame headers) and Opus (at its control headers) are timed by an
/// `AudioFrameClock`: each frame as long as its bitstream says, the PTS followed when it
/// jumps. A PES must hold whole frames (what every muxer writes). PTS and DTS are
/// unwrapped past 2^33 by one unwrapper shared by all tracks. Every elementary stream is its
/// own track (the reader gives each PID its track id: two audio languages are two tracks),
/// with its own parameter sets, audio configuration and clock.
struct TSPESDemuxer: Sendable {
    static let videoTimescale: UInt32 = 90_000

    private(set) var tracks = TrackTable()
    private var unwrapper = TimestampUnwrapper(bits: 33)
    /// The track of the PES being demuxed, and its state; each track's state between PES
    /// packets is kept in `states`.
    private var trackID = ContainerTrackID.video
    private var video = VideoState()
    private var audio = AudioState()
    private var audioClock: AudioFrameClock?
    private var states: [UInt32: (video: VideoState, audio: AudioState, clock: AudioFrameClock?)] = [:]
    /// Opus streams' identification headers, from their PMT descriptors, by PID.
    var opusHeaders: [UInt16: OpusIdentificationHeader] = [:]
    /// Streams whose content this project does not record (MP2 behind an MPEG audio stream
    /// type): refused once, then skipped without a word per PES.
    private var refusedPIDs: Set<UInt16> = []
    /// Frames dropped because no parameter sets (or no timestamp) came before them.
    private(set) var droppedFrameCount = 0

    private struct VideoState {
        var codec: Codec?
        var vps: [[UInt8]] = []
        var sps: [[UInt8]] = []
        var pps: [[UInt8]] = []
        /// The sets the current description was built from, and its index.
        var built: [[UInt8]]?
        var index: UInt16?
    }

    private struct AudioState {
        /// The ADTS fields the current description was built from, and its index.
        var key: [UInt8]?
        var index: UInt16?
        var timescale: UInt32?
        var nextPTS: Int64?
    }

    /// The events of one PES of track `trackID` (by default the first video or audio track,
    /// by the codec's kind).
    mutating func demux(_ pes: [UInt8], codec: Codec, pid: UInt16, trackID: UInt32? = nil) throws(TSError) -> [DemuxEvent] {
        let track = trackID ?? (codec.kind == .video ? ContainerTrackID.video : ContainerTrackID.audio)
        if track != self.trackID {
            states[self.trackID] = (video, audio, audioClock)
            (video, audio, audioClock) = states.removeValue(forKey: track) ?? (VideoState(), AudioState(), nil)
            self.trackID = track
        }
        let header = try PESHeader(parsing: pes, pid: pid)
        // The PES payload as a slice of the reassembled PES: frames are slices of it too.
        let data = pes[header.headerSize...]
        if codec == .aac { return try demuxAudio(data, pts: header.pts, pid: pid) }
        if codec.kind == .audio { return try demuxFramedAudio(data, pts: header.pts, codec: codec, pid: pid) }
        return try demuxVideo(data, header: header, codec: codec, pid: pid)
    }

    private mutating func demuxVideo(_ data: ArraySlice<UInt8>, header: PESHeader, codec: Codec, pid: UInt16) throws(TSError) -> [DemuxEvent] {
        let unit: AnnexBAccessUnit
        do { unit = try AnnexBAccessUnit(annexB: data, codec: codec) } catch { throw .codec(error, pid: pid) }
        if video.codec != codec { video = VideoState(codec: codec) }
        if !unit.videoParameterSets.isEmpty { video.vps = unit.videoParameterSets }
        if !unit.sequenceParameterSets.isEmpty { video.sps = unit.sequenceParameterSets }
        if !unit.pictureParameterSets.isEmpty { video.pps = unit.pictureParameterSets }

        var events: [DemuxEvent] = []
        let sets = video.vps + video.sps + video.pps
        if sets != video.built, !video.sps.isEmpty, !video.pps.isEmpty, codec == .h264 || !video.vps.isEmpty {
            video.built = sets
            let description: SampleDescription
            do {
                if codec == .h264 {
                    let record = try AVCDecoderConfigurationRecord(sequenceParameterSets: video.sps, pictureParameterSets: video.pps)
                    description = try .h264(configuration: try record.serialized())
                } else {
                    let record = try HEVCDecoderConfigurationRecord(videoParameterSets: video.vps, sequenceParameterSets: video.sps,
                                                                    pictureParameterSets: video.pps)
                    description = try .h265(configuration: try record.serialized())
                }
            } catch {
                video.index = nil
                throw .codec(error, pid: pid)
            }
            let (index, event) = try register(description, trackID: trackID, timescale: Self.videoTimescale)
            video.index = index
            if let event { events.append(event) }
        }
        guard unit.hasSlices else { return events }
        guard let index = video.index, let rawPTS = header.pts else {
            droppedFrameCount += 1
            if header.pts == nil { throw .missingTimestamp(pid: pid) }
            return events
        }
        let rawDTS = header.dts ?? rawPTS
        let dts = unwrapper.unwrap(rawDTS)
        // PTS - DTS modulo 2^33, as a signed offset: a wrap between them is not a jump.
        var offset = Int64((rawPTS &- rawDTS) & (PESHeader.timestampModulus - 1))
        if offset >= Int64(PESHeader.timestampModulus / 2) { offset -= Int64(PESHeader.timestampModulus) }
        events.append(.frame(MediaFrame(trackID: trackID, dts: dts, pts: dts + offset,
                                        isKeyframe: unit.isKeyframe, sampleDescriptionIndex: index, payload: unit.payload)))
        return events
    }

    private mutating func demuxAudio(_ data: ArraySlice<UInt8>, pts: UInt64?, pid: UInt16) throws(TSError) -> [DemuxEvent] {
        var events: [DemuxEvent] = []
        var time: Int64? = nil
        var offset = 0
        var pesPTS = pts.map { unwrapper.unwrap($0) }
        let base = data.startIndex
        while offset < data.count {
            let header: ADTSHeader
            do { header = try ADTSHeader(parsing: Array(data[(base + offset)..<(base + min(data.count, offset + 9))])) } catch {
                throw .codec(error, pid: pid)
            }
            guard header.frameLength <= data.count - offset else {
                throw .codec(.truncated(structure: "ADTS frame", field: "raw_data_block",
                                        .truncated(needed: header.frameLength, remaining: data.count - offset, at: offset)), pid: pid)
            }
            guard header.rawDataBlockCount == 1 else {
                throw .unsupported("ADTS frame with \(header.rawDataBlockCount) raw data blocks")
            }
            let payload = data[(base + offset + header.headerLength)..<(base + offset + header.frameLength)]
            offset += header.frameLength

            // Profile, rate index and channels: the fields the AudioSpecificConfig is made of.
            let key = [header.profile, header.samplingFrequencyIndex, header.channelConfiguration]
            if key != audio.key {
                let description: SampleDescription
                do {
                    description = try .aac(audioSpecificConfig: try header.audioSpecificConfig().serialized())
                } catch {
                    throw .codec(error, pid: pid)
                }
                let timescale = audio.timescale ?? description.sampleRate
                let (index, event) = try register(description, trackID: trackID, timescale: timescale)
                audio.key = key
                audio.index = index
                audio.timescale = timescale
                if let event { events.append(event) }
            }
            guard let index = audio.index, let timescale = audio.timescale, timescale > 0 else { continue }
            if let start = pesPTS {
                time = TimescaleConversion.rescale(start, from: Self.videoTimescale, to: timescale)
                pesPTS = nil
            } else if time == nil {
                time = audio.nextPTS
            }
            guard let frameTime = time, !payload.isEmpty else {
                droppedFrameCount += 1
                continue
            }
            events.append(.frame(MediaFrame(trackID: trackID, dts: frameTime, pts: frameTime,
                                            isKeyframe: true, sampleDescriptionIndex: index, payload: payload)))
            // ADTS carries no frameLengthFlag: every frame is 1024 samples (ISO/IEC 14496-3 1.A.2.2).
            time = frameTime + 1024
            audio.nextPTS = time
        }
        return events
    }

    /// MP3, AC-3, E-AC-3 or Opus: the frames of one PES, each with the description its own
    /// header gives.
    private mutating func demuxFramedAudio(_ data: ArraySlice<UInt8>, pts: UInt64?, codec: Codec, pid: UInt16) throws(TSError) -> [DemuxEvent] {
        guard !refusedPIDs.contains(pid) else { return [] }
        // The frame splitters take arrays: the PES payload is copied once, its frames are
        // slices of that copy.
        let data = Array(data)
        var units: [(description: SampleDescription, payload: ArraySlice<UInt8>, samples: Int)] = []
        do throws(CodecError) {
            switch codec {
            case .mp3:
                for (header, frame) in try MPEGAudioFrameHeader.frames(in: data) {
                    units.append((try .mp3(header: header), frame, header.samplesPerFrame))
                }
            case .ac3:
                for (header, frame) in try AC3SyncFrameHeader.frames(in: data) {
                    units.append((.ac3(header: header), frame, AC3SyncFrameHeader.samplesPerFrame))
                }
            case .eac3:
                for (header, frame) in try EAC3SyncFrameHeader.frames(in: data) {
                    units.append((try .eac3(header: header), frame, header.samplesPerFrame))
                }
            case .opus:
                guard var header = opusHeaders[pid] else {
                    throw CodecError.missing(structure: "Opus stream", element: "extension descriptor with channel_config_code")
                }
                for unit in try OpusTSFraming.units(in: data) {
                    // The first packet's start trim is the encoder's pre-skip; it stays the stream's.
                    if let trim = unit.startTrim, tracks.tracks[trackID] == nil {
                        header.preSkip = trim
                        opusHeaders[pid] = header
                    }
                    units.append((.opus(header: header), unit.packet[...], try OpusPacket.sampleCount(of: unit.packet)))
                }
            default:
                throw CodecError.unsupported(structure: "MPEG-TS audio", feature: "codec \(codec)")
            }
        } catch {
            if case .unsupported = error { refusedPIDs.insert(pid) }
            throw .codec(error, pid: pid)
        }
        var events: [DemuxEvent] = []
        var pesTime = pts.map { unwrapper.unwrap($0) }
        for unit in units {
            let timescale = tracks.tracks[trackID]?.timescale ?? unit.description.sampleRate
            let (index, event) = try register(unit.description, trackID: trackID, timescale: timescale)
            if let event { events.append(event) }
            if audioClock == nil { audioClock = AudioFrameClock(sampleRate: timescale, containerTimescale: Self.videoTimescale) }
            // A rate change mid-stream keeps the track's first rate as its timescale.
            let samples = TimescaleConversion.rescale(Int64(unit.samples), from: unit.description.sampleRate, to: timescale)
            guard let time = audioClock?.time(of: pesTime, samples: Int(samples)) else {
                droppedFrameCount += 1
                continue
            }
            pesTime = nil
            events.append(.frame(MediaFrame(trackID: trackID, dts: time, pts: time, isKeyframe: true,
                                            sampleDescriptionIndex: index, payload: unit.payload)))
        }
        return events
    }

    private mutating func register(_ description: SampleDescription, trackID: UInt32, timescale: UInt32) throws(TSError) -> (UInt16, DemuxEvent?) {
        guard let result = tracks.index(of: description, trackID: trackID, timescale: timescale) else {
            if let existing = tracks.tracks[trackID], existing.codec != description.codec {
                throw .unsupported("codec change from \(existing.codec) to \(description.codec) in track \(trackID)")
            }
            throw .limitExceeded(field: "sample descriptions of track \(trackID)",
                                 value: TrackTable.maxSampleDescriptions + 1, limit: TrackTable.maxSampleDescriptions)
        }
        return result
    }
}
