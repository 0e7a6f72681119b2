import MediaCore

/// Frames in, FLV file bytes out. The file it produces:
///
/// ```
/// offset 0   'F' 'L' 'V' 01 | 05 (audio+video) | 00000009        file header
///        9   00000000                                            PreviousTagSize0
///       13   tag 18 "onMetaData" ECMA array:                     script tag, fixed size
///              duration*, width, height, framerate*, videocodecid,
///              audiocodecid, audiosamplerate, stereo, audiochannels, filesize*
///            PreviousTagSize
///            tag 9  sequence start (avcC / hvcC)  | PreviousTagSize   before the first video frame
///            tag 8  sequence header (ASC)         | PreviousTagSize   before the first audio frame
///            tag 8/9 frames in the order written, each | PreviousTagSize
///            (a new sequence header before a frame whose sample description changed)
/// ```
///
/// Every AMF0 number is 9 bytes, so the fields marked * are patched in place once the last
/// frame is known (`finalPatches()`): duration, filesize, and framerate when the SPS did not
/// state it. Write `header` first, then what `write(_:)` returns, then apply the patches.
public struct FLVWriter: Sendable {
    /// A change to bytes already written: `bytes` replace those at `offset`.
    public struct Patch: Sendable, Equatable {
        public var offset: Int64
        public var bytes: [UInt8]
    }

    /// The first bytes of the file: header, PreviousTagSize0, onMetaData tag.
    public let header: [UInt8]
    /// Bytes produced so far (`header` included).
    public private(set) var bytesWritten: Int64

    private var muxer: FLVTagMuxer
    private let durationOffset: Int64
    private let fileSizeOffset: Int64
    private let frameRateOffset: Int64?
    private let frameRateKnown: Bool
    /// The latest presentation end seen (ms) over all tracks, and the first decoding time
    /// written (0 unless the options keep the source's times).
    private var end: Int64 = 0
    private var start: Int64?
    private var lastDTS: [UInt32: Int64] = [:]
    private var lastDelta: [UInt32: Int64] = [:]
    private var videoFrames = 0
    private var firstVideoDTS: Int64?

    /// See `FLVTagMuxer.addSampleDescription`.
    public mutating func addSampleDescription(_ description: SampleDescription, toTrack trackID: UInt32) throws(FLVError) -> UInt16 {
        try muxer.addSampleDescription(description, toTrack: trackID)
    }

    public init(tracks: [TrackDescription], options: FLVTagMuxer.Options = FLVTagMuxer.Options()) throws(FLVError) {
        muxer = try FLVTagMuxer(tracks: tracks, options: options)
        let video = muxer.videoTrack?.sampleDescriptions.first
        let audio = muxer.audioTrack?.sampleDescriptions.first
        let frameRate = video.flatMap(Self.frameRate(of:))
        frameRateKnown = frameRate != nil

        // SoundFormat, or for the enhanced codecs their FourCC's value, as ffmpeg 9 writes it.
        let audioCodecID: Double = try audio.map { a throws(FLVError) in
            if a.codec == .aac { return Double(FLVAudioTagBody.aacSoundFormat) }
            if FLVTagMuxer.isEnhancedAudio(a.codec), let fourCC = FLVAudioTagBody.fourCCs.fourCC(of: a.codec) { return Double(fourCC.rawValue) }
            return Double(try FLVAudioTagBody.framesHeader(for: a) >> 4)
        } ?? 0
        // onMetaData, keeping the offsets of the values to patch (counted from the body).
        var body = ByteWriter()
        var offsets: [String: Int] = [:]
        do {
            try AMF0Encoder.encode(.string(FLVScriptData.onMetaData), to: &body)
            var properties: [AMF0Value.Property] = [AMF0Value.Property("duration", .number(0))]
            if let video {
                properties += [
                    AMF0Value.Property("width", .number(Double(video.width))),
                    AMF0Value.Property("height", .number(Double(video.height))),
                    AMF0Value.Property("framerate", .number(frameRate ?? 0)),
                    // Enhanced codecs are named by their FourCC's value, as ffmpeg 9 writes it.
                    AMF0Value.Property("videocodecid", .number(video.codec == .h264
                        ? Double(FLVVideoTagBody.avcCodecID) : Double((FLVVideoTagBody.fourCCs.fourCC(of: video.codec) ?? "hvc1").rawValue))),
                ]
            }
            if let audio {
                properties += [
                    AMF0Value.Property("audiocodecid", .number(audioCodecID)),
                    AMF0Value.Property("audiosamplerate", .number(Double(audio.sampleRate))),
                    AMF0Value.Property("stereo", .boolean(audio.channelCount >= 2)),
                    AMF0Value.Property("audiochannels", .number(Double(audio.channelCount))),
                ]
            }
            properties.append(AMF0Value.Property("filesize", .number(0)))
            body.write(AMF0Value.Marker.ecmaArray.rawValue)
            body.write(UInt32(properties.count))
            for property in properties {
                try AMF0Encoder.encodeName(property.name, to: &body)
                offsets[property.name] = body.count + 1  // past the number's type marker
                try AMF0Encoder.encode(property.value, to: &body)
            }
            AMF0Encoder.encodeObjectEnd(to: &body)
        } catch {
            throw .amf0(error, at: 0)
        }
        var file = ByteWriter()
        file.write(bytes: FLVHeader(hasAudio: audio != nil, hasVideo: video != nil).serialized())
        file.write(UInt32(0))
        let bodyStart = Int64(file.count + FLVTag.headerSize)
        try FLVTag(kind: .scriptData, timestamp: 0, body: body.bytes).write(to: &file)
        header = file.bytes
        bytesWritten = Int64(header.count)
        durationOffset = bodyStart + Int64(offsets["duration"]!)
        fileSizeOffset = bodyStart + Int64(offsets["filesize"]!)
        frameRateOffset = offsets["framerate"].map { bodyStart + Int64($0) }
    }

    /// The bytes of `frame` (with its sequence header first when needed), to append.
    public mutating func write(_ frame: MediaFrame) throws(FLVError) -> [UInt8] {
        try writeParts(frame).joined
    }

    /// The same bytes in three parts, the payload not copied (`FLVTagMuxer.FileBytes`).
    public mutating func writeParts(_ frame: MediaFrame) throws(FLVError) -> FLVTagMuxer.FileBytes {
        let parts = try muxer.fileBytes(for: frame)
        bytesWritten += Int64(parts.count)

        let timescale = (frame.trackID == muxer.videoTrack?.trackID ? muxer.videoTrack : muxer.audioTrack)?.timescale ?? 1000
        let (dts, pts) = muxer.milliseconds(of: frame, timescale: timescale)
        if let previous = lastDTS[frame.trackID], dts > previous { lastDelta[frame.trackID] = dts - previous }
        lastDTS[frame.trackID] = dts
        if start == nil { start = dts }
        end = max(end, pts + (lastDelta[frame.trackID] ?? 0))
        if frame.trackID == muxer.videoTrack?.trackID {
            videoFrames += 1
            if firstVideoDTS == nil { firstVideoDTS = dts }
        }
        return parts
    }

    /// The in-place changes to make once every frame is written: duration (seconds), filesize
    /// (bytes) and, when the SPS did not give it, the measured frame rate.
    public func finalPatches() -> [Patch] {
        func number(_ value: Double, at offset: Int64) -> Patch {
            var writer = ByteWriter()
            writer.write(value.bitPattern)
            return Patch(offset: offset, bytes: writer.bytes)
        }
        // From the first frame to the end of the last one, as ffmpeg's flvenc counts it.
        let duration = Double(max(0, end - (start ?? 0))) / 1000
        var patches = [number(duration, at: durationOffset), number(Double(bytesWritten), at: fileSizeOffset)]
        if !frameRateKnown, let frameRateOffset, let first = firstVideoDTS, let last = lastDTS[muxer.videoTrack?.trackID ?? 0],
           videoFrames > 1, last > first {
            patches.append(number(Double(videoFrames - 1) * 1000 / Double(last - first), at: frameRateOffset))
        }
        return patches
    }

    /// The frame rate the first SPS's timing information states, if any.
    static func frameRate(of description: SampleDescription) -> Double? {
        switch description.codec {
        case .h264:
            return (try? AVCDecoderConfigurationRecord(parsing: description.configuration).firstSequenceParameterSet())?.framesPerSecond
        case .h265:
            return (try? HEVCDecoderConfigurationRecord(parsing: description.configuration).firstSequenceParameterSet())?.framesPerSecond
        case .aac, .mp3, .ac3, .eac3, .opus, .pcmMulaw, .pcmAlaw, .av1, .vp9:
            return nil
        }
    }
}
