import MediaCore

/// Frames in, MPEG-TS bytes out (ISO/IEC 13818-1): one program, video on PID 0x100, audio on
/// PID 0x101 (further audio tracks, a second language, on 0x102, 0x103, ... in the order
/// given), the PMT on PID 0x1000.
///
/// ```
/// PAT (PID 0) | PMT (PID 0x1000)                   at the start, before every video keyframe,
///                                                  and at least every 100 ms
/// video PES (PID 0x100, stream 0xE0): PTS [DTS] | AUD [VPS SPS PPS before keyframes] NAL units (Annex B)
///     first packet: adaptation field with PCR, random_access_indicator on keyframes
/// audio PES (PID 0x101, stream 0xC0): PTS | ADTS header + raw AAC, one frame per PES
///     (with the PCR when there is no video); MP3 frames as they are (stream_type 0x03/0x04);
///     AC-3/E-AC-3 syncframes (0x81/0x87, stream 0xBD); Opus packets behind control headers,
///     the first with the pre-skip as start_trim (0x06 + 'Opus' descriptors, stream 0xBD)
/// every PES ends at a packet boundary with adaptation-field stuffing
/// ```
///
/// Timestamps become 90 kHz (rounded to nearest). The first frame's decoding time is placed at
/// `startTime` (90 kHz) and everything moves with it, so that a track that starts a little
/// earlier than the first frame written, and the PCR (which runs `pcrDelay` behind the video's
/// decoding times), stay positive. They wrap at 2^33 as the format does.
public struct TSWriter: Sendable {
    public static let pmtPID: UInt16 = 0x1000
    public static let videoPID: UInt16 = 0x100
    public static let audioPID: UInt16 = 0x101
    public static let programNumber: UInt16 = 1
    /// Where the first frame's DTS goes by default: 1.4 s, as ffmpeg's muxer, is room for the
    /// PCR delay and for audio that starts before the first video frame.
    public static let defaultStartTime: Int64 = 126_000
    /// PCR = DTS - 0.7 s: the decoder gets each access unit before it must decode it (T-STD,
    /// 2.4.2), the delay ffmpeg uses (max_delay).
    public static let pcrDelay: Int64 = 63_000
    /// PAT and PMT at least this often (90 kHz): players joining mid-stream wait at most
    /// 100 ms for them (the repetition ETSI TR 101 290 checks).
    public static let tableInterval: Int64 = 9_000

    public private(set) var videoTrack: TrackDescription?
    /// The audio tracks in PID order: the first on `audioPID`, the next on `audioPID + 1`, ...
    public private(set) var audioTracks: [TrackDescription] = []
    /// The first audio track.
    public var audioTrack: TrackDescription? { audioTracks.first }
    /// Audio tracks beyond this would run into the PMT's PID range.
    public static let maxAudioTracks = 32
    /// The 90 kHz time of the first frame's DTS.
    public let startTime: Int64
    private var packetizer = TSPacketizer()
    private var origin: Int64?
    private var lastTables: Int64?
    /// Parameter sets in Annex B per video sample description, and AudioSpecificConfigs.
    private var parameterSets: [UInt16: [UInt8]] = [:]
    private var audioConfigs: [UInt32: [UInt16: AudioSpecificConfig]] = [:]
    /// Opus: the pre-skip goes out once per track, as its first packet's start_trim.
    private var opusTrimWritten: Set<UInt32> = []

    public init(tracks: [TrackDescription], startTime: Int64 = TSWriter.defaultStartTime) throws(TSError) {
        self.startTime = startTime
        var video: TrackDescription?
        var audio: [TrackDescription] = []
        for track in tracks {
            guard !track.sampleDescriptions.isEmpty, track.timescale > 0 else {
                throw .unknownTrack(trackID: track.trackID, sampleDescriptionIndex: 1)
            }
            if track.codec == .av1 || track.codec == .vp9 {
                // AV1 has only a draft TS binding (stream_type 0x06 + 'AV01') and VP9 none;
                // ffmpeg 5.1 reads neither, so a .ts of them would be a file players reject.
                throw .unsupported("\(track.codec == .av1 ? "AV1" : "VP9") video (track \(track.trackID)): MPEG-TS has no stream type for it that players read; record it as mp4 or flv")
            }
            guard TSStreamType(track.sampleDescriptions[0]) != nil else {
                let why = track.codec == .pcmMulaw || track.codec == .pcmAlaw ? ": MPEG-TS has no standard form for G.711" : ""
                throw .unsupported("codec \(track.codec) (track \(track.trackID))\(why)")
            }
            if track.codec == .opus {
                for description in track.sampleDescriptions {
                    let header: OpusIdentificationHeader
                    do { header = try OpusIdentificationHeader(opusSpecificBox: description.configuration) } catch {
                        throw .codec(error, pid: Self.audioPID)
                    }
                    guard OpusTSFraming.channelConfigCode(of: header) != nil else {
                        throw .unsupported("Opus with \(header.channelCount) channels in mapping family \(header.mappingFamily) (track \(track.trackID)): no channel_config_code for it")
                    }
                }
            }
            guard track.sampleDescriptions.allSatisfy({ $0.codec == track.codec }) else {
                throw .unsupported("track \(track.trackID) mixing codecs")
            }
            if track.kind == .video {
                guard video == nil else { throw .unsupported("a second video track (\(track.trackID))") }
                video = track
            } else {
                guard audio.count < Self.maxAudioTracks else { throw .unsupported("more than \(Self.maxAudioTracks) audio tracks") }
                audio.append(track)
            }
        }
        videoTrack = video
        audioTracks = audio
    }

    /// The PID of track `trackID`; nil for a track this writer does not have.
    public func pid(ofTrack trackID: UInt32) -> UInt16? {
        if videoTrack?.trackID == trackID { return Self.videoPID }
        return audioTracks.firstIndex { $0.trackID == trackID }.map { Self.audioPID + UInt16($0) }
    }

    /// Adds a sample description to a track mid-stream (a new SPS or audio format); frames
    /// that use it carry the returned index.
    public mutating func addSampleDescription(_ description: SampleDescription, toTrack trackID: UInt32) throws(TSError) -> UInt16 {
        if let position = audioTracks.firstIndex(where: { $0.trackID == trackID }) {
            var first: TrackDescription? = audioTracks[position]
            var none: TrackDescription?
            guard let index = TrackPair.appendDescription(description, toTrack: trackID, video: &none, audio: &first) else {
                throw .unknownTrack(trackID: trackID, sampleDescriptionIndex: 0)
            }
            audioTracks[position] = first!
            return index
        }
        var none: TrackDescription?
        guard let index = TrackPair.appendDescription(description, toTrack: trackID, video: &videoTrack, audio: &none) else {
            throw .unknownTrack(trackID: trackID, sampleDescriptionIndex: 0)
        }
        return index
    }

    /// The packets of `frame` (preceded by PAT and PMT when due), to append.
    public mutating func write(_ frame: MediaFrame) throws(TSError) -> [UInt8] {
        guard let track = TrackPair.track(for: frame, video: videoTrack, audio: audioTracks.first { $0.trackID == frame.trackID }),
              let pid = pid(ofTrack: track.trackID) else {
            throw .unknownTrack(trackID: frame.trackID, sampleDescriptionIndex: frame.sampleDescriptionIndex)
        }
        let dts90 = TimescaleConversion.rescale(frame.dts, from: track.timescale, to: TSPESDemuxer.videoTimescale)
        let pts90 = TimescaleConversion.rescale(frame.pts, from: track.timescale, to: TSPESDemuxer.videoTimescale)
        if origin == nil { origin = dts90 &- startTime }
        let dts = dts90 &- origin!
        let pts = pts90 &- origin!
        let isVideo = track.kind == .video
        // The PCR rides on the video, or on the first audio track when there is none.
        let carriesPCR = isVideo || (videoTrack == nil && pid == Self.audioPID)

        var writer = ByteWriter(capacity: frame.payload.count + frame.payload.count / 20 + 3 * TSPacket.size)
        if lastTables == nil || (isVideo && frame.isKeyframe) || dts - lastTables! >= Self.tableInterval || dts < lastTables! {
            writeTables(to: &writer)
            lastTables = dts
        }
        let data: [UInt8]
        let streamID: UInt8
        if isVideo {
            data = try annexB(frame, track: track)
            streamID = PESHeader.videoStreamID
        } else {
            switch track.codec {
            case .aac:
                data = try adts(frame, track: track)
                streamID = PESHeader.audioStreamID
            case .opus:
                data = try opusUnit(frame, track: track)
                streamID = PESHeader.privateStream1ID
            case .mp3:
                data = Array(frame.payload)
                streamID = PESHeader.audioStreamID
            default:
                data = Array(frame.payload)
                streamID = PESHeader.privateStream1ID
            }
        }
        let header = PESHeader(streamID: streamID, pts: UInt64(bitPattern: pts), dts: UInt64(bitPattern: dts), payloadLength: data.count)
        let pcrBase = (dts &- Self.pcrDelay) & Int64(PESHeader.timestampModulus - 1)
        let pcr = carriesPCR ? UInt64(pcrBase) * 300 : nil
        packetizer.appendPES(header.serialized() + data, pid: pid, pcr: pcr,
                             randomAccess: frame.isKeyframe && isVideo, to: &writer)
        return writer.bytes
    }

    private mutating func writeTables(to writer: inout ByteWriter) {
        let pat = ProgramAssociationTable(programs: [(Self.programNumber, Self.pmtPID)])
        var streams: [ProgramMapTable.Stream] = []
        // init(tracks:) refused every codec without a stream type.
        if let videoTrack { streams.append(.init(streamType: TSStreamType(codec: videoTrack.codec)!, pid: Self.videoPID)) }
        for (position, audioTrack) in audioTracks.enumerated() {
            let first = audioTrack.sampleDescriptions[0]
            // init(tracks:) checked that an Opus track has a channel_config_code.
            let descriptors = first.codec == .opus
                ? StreamDescriptors.opus(channelConfigCode: (try? OpusIdentificationHeader(opusSpecificBox: first.configuration))
                    .flatMap(OpusTSFraming.channelConfigCode(of:)) ?? 2)
                : []
            streams.append(.init(streamType: TSStreamType(first)!, pid: Self.audioPID + UInt16(position), descriptors: descriptors))
        }
        let pmt = ProgramMapTable(programNumber: Self.programNumber, pcrPID: videoTrack != nil ? Self.videoPID : Self.audioPID,
                                  streams: streams)
        packetizer.appendSection(pat.section.serialized(), pid: ProgramAssociationTable.pid, to: &writer)
        packetizer.appendSection(pmt.section.serialized(), pid: Self.pmtPID, to: &writer)
    }

    /// AUD, the parameter sets before a keyframe, then the frame's NAL units, with start codes.
    private mutating func annexB(_ frame: MediaFrame, track: TrackDescription) throws(TSError) -> [UInt8] {
        let codec = track.codec
        var output: [UInt8] = NALUnit.startCode
        // AUD: H.264 primary_pic_type 7 (any slice type); H.265 type 35, pic_type 2 (7.3.2.5).
        output += codec == .h264 ? [0x09, 0xF0] : [0x46, 0x01, 0x50]
        if frame.isKeyframe {
            output += try parameterSetsAnnexB(track: track, index: frame.sampleDescriptionIndex)
        }
        var units = LengthPrefixedNALUnitIterator(frame.payload)
        do {
            while let unit = try units.next() {
                let isDelimiter = codec == .h264 ? H264NALUnitType(nalUnit: unit) == .accessUnitDelimiter
                    : H265NALUnitType(nalUnit: unit) == .accessUnitDelimiter
                if isDelimiter { continue }
                output += NALUnit.startCode
                output += unit
            }
        } catch {
            throw .codec(error, pid: Self.videoPID)
        }
        return output
    }

    private mutating func parameterSetsAnnexB(track: TrackDescription, index: UInt16) throws(TSError) -> [UInt8] {
        if let cached = parameterSets[index] { return cached }
        let description = track.sampleDescriptions[Int(index) - 1]
        let sets: [[UInt8]]
        do {
            if description.codec == .h264 {
                let record = try AVCDecoderConfigurationRecord(parsing: description.configuration)
                sets = record.sequenceParameterSets + record.pictureParameterSets
            } else {
                let record = try HEVCDecoderConfigurationRecord(parsing: description.configuration)
                sets = record.videoParameterSets + record.sequenceParameterSets + record.pictureParameterSets
            }
        } catch {
            throw .codec(error, pid: Self.videoPID)
        }
        let bytes = sets.flatMap { NALUnit.startCode + $0 }
        parameterSets[index] = bytes
        return bytes
    }

    private mutating func opusUnit(_ frame: MediaFrame, track: TrackDescription) throws(TSError) -> [UInt8] {
        var trim: UInt16? = nil
        if !opusTrimWritten.contains(track.trackID) {
            opusTrimWritten.insert(track.trackID)
            let description = track.sampleDescriptions[Int(frame.sampleDescriptionIndex) - 1]
            let preSkip = (try? OpusIdentificationHeader(opusSpecificBox: description.configuration))?.preSkip ?? 0
            trim = preSkip > 0 ? preSkip : nil
        }
        return OpusTSFraming.unit(Array(frame.payload), startTrim: trim)
    }

    private mutating func adts(_ frame: MediaFrame, track: TrackDescription) throws(TSError) -> [UInt8] {
        let index = frame.sampleDescriptionIndex
        do {
            let config: AudioSpecificConfig
            if let cached = audioConfigs[track.trackID]?[index] {
                config = cached
            } else {
                config = try AudioSpecificConfig(parsing: track.sampleDescriptions[Int(index) - 1].configuration)
                audioConfigs[track.trackID, default: [:]][index] = config
            }
            return try ADTSHeader(audioSpecificConfig: config, payloadLength: frame.payload.count).serialized() + frame.payload
        } catch {
            throw .codec(error, pid: pid(ofTrack: track.trackID) ?? Self.audioPID)
        }
    }
}
