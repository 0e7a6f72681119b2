import MediaCore

/// A video or audio track of an MP4 file: identity, clock, codec descriptions, samples, and
/// where they sit on the presentation timeline.
public struct MP4Track: Sendable, Equatable {
    /// More samples than this is damage or an attack (a constant-size `stsz` states its count
    /// in 4 bytes): a week of 60 fps video and 48 kHz AAC is ~65M samples, ~2.5 GiB expanded.
    public static let maxSampleCount = 1 << 26

    public let trackID: UInt32
    /// `vide` or `soun`.
    public let handlerType: FourCC
    public let kind: MediaKind
    /// The media (`mdhd`) timescale: every sample time of the track is in these units.
    public let timescale: UInt32
    /// The media duration (`mdhd`), in `timescale` units.
    public let duration: UInt64
    /// The `elst` entries; empty without an edit list.
    public let editList: [EditListBox.Entry]
    /// The `stsd` entries as stored.
    public let sampleEntries: [SampleEntry]
    /// The same entries in MediaCore's terms; `MP4Sample.sampleDescriptionIndex` is 1-based into it.
    public let sampleDescriptions: [SampleDescription]
    /// Every sample in decoding order.
    public let samples: [MP4Sample]
    public let timeline: PresentationTimeline

    /// End of the edit on the presentation timeline (track timescale), nil without one. AAC
    /// encoder padding after it is trimmed by players.
    public var presentationEnd: Int64? { timeline.presentationEnd }

    public var trackDescription: TrackDescription {
        TrackDescription(trackID: trackID, timescale: timescale, sampleDescriptions: sampleDescriptions)
    }

    /// The frame of `sample`, with timestamps on the presentation timeline.
    public func frame(for sample: MP4Sample, payload: [UInt8]) -> MediaFrame {
        MediaFrame(trackID: trackID, dts: timeline.dts(of: sample), pts: timeline.pts(of: sample),
                   isKeyframe: sample.isSync, sampleDescriptionIndex: sample.sampleDescriptionIndex, payload: payload)
    }

    /// Reads a `trak`. Returns nil for a track this project does not handle: neither video nor
    /// audio, or a codec other than H.264, H.265 and AAC.
    static func read(trak: BoxNode, header: TrackHeaderBox, movieTimescale: UInt32,
                     fileSize: Int64) throws(MP4ParseError) -> MP4Track? {
        let mdia = try trak.requiredChild("mdia")
        let mdhdNode = try mdia.requiredChild(MediaHeaderBox.type)
        let mdhd = try mdhdNode.decode(MediaHeaderBox.self)
        let handler = try mdia.requiredChild(HandlerBox.type).decode(HandlerBox.self)
        let kind: MediaKind
        switch handler.handlerType {
        case HandlerBox.video: kind = .video
        case HandlerBox.sound: kind = .audio
        default: return nil
        }
        let stbl = try mdia.requiredChild("minf").requiredChild("stbl")
        let stsdNode = try stbl.requiredChild(SampleDescriptionBox.type)
        let entries = try stsdNode.decode(SampleDescriptionBox.self).entries
        guard let descriptions = try describe(entries, kind: kind, stsd: stsdNode) else { return nil }
        guard mdhd.times.timescale > 0 else {
            throw .invalidValue(MediaHeaderBox.type, reason: "timescale is 0", at: mdhdNode.offset)
        }

        let tables = try SampleTables(stbl: stbl)
        let samples = try tables.expand(descriptionCount: descriptions.count, fileSize: fileSize)
        let elstNode = trak.descendant("edts", EditListBox.type)
        let editList = try elstNode?.decode(EditListBox.self).entries ?? []
        let timeline = try PresentationTimeline(
            editList: editList, movieTimescale: movieTimescale, trackTimescale: mdhd.times.timescale, kind: kind,
            samples: samples, compositionOffsets: tables.compositionOffsets, location: elstNode?.offset ?? trak.offset)
        return MP4Track(trackID: header.trackID, handlerType: handler.handlerType, kind: kind,
                        timescale: mdhd.times.timescale, duration: mdhd.times.duration, editList: editList,
                        sampleEntries: entries, sampleDescriptions: descriptions, samples: samples, timeline: timeline)
    }

    /// The entries in MediaCore's terms, nil when one has a codec this project does not handle.
    static func describe(_ entries: [SampleEntry], kind: MediaKind,
                         stsd: BoxNode) throws(MP4ParseError) -> [SampleDescription]? {
        guard !entries.isEmpty else {
            throw .invalidValue(SampleDescriptionBox.type, reason: "no sample entries", at: stsd.offset)
        }
        guard entries.count <= Int(UInt16.max) else {
            throw .exceedsLimit(SampleDescriptionBox.type, value: UInt64(entries.count), limit: UInt64(UInt16.max), at: stsd.offset)
        }
        var descriptions: [SampleDescription] = []
        for entry in entries {
            switch entry {
            case let .visual(visual) where kind == .video:
                guard let codec = visual.codec else { return nil }
                guard let record = visual.configurationRecord else {
                    let type = VisualSampleEntry.configurationBoxType(for: visual.codingName) ?? "avcC"
                    throw .missingBox(type, parent: visual.codingName, at: stsd.offset)
                }
                descriptions.append(SampleDescription(codec: codec, configuration: record,
                                                      width: visual.width, height: visual.height))
            case let .audio(audio) where kind == .audio:
                guard let description = try describe(audio, stsd: stsd) else { return nil }
                descriptions.append(description)
            default:
                return nil
            }
        }
        return descriptions
    }

    /// An audio entry in MediaCore's terms: AAC or MP3 in `mp4a`, AC-3, E-AC-3, Opus, G.711;
    /// nil for another coding or object type.
    static func describe(_ audio: AudioSampleEntry, stsd: BoxNode) throws(MP4ParseError) -> SampleDescription? {
        /// The body of configuration box `type` and what `parse` makes of it.
        func configuration<Parsed>(_ type: FourCC, _ parse: ([UInt8]) throws(CodecError) -> Parsed)
            throws(MP4ParseError) -> (body: [UInt8], parsed: Parsed) {
            guard let body = audio.childBody(type) else { throw .missingBox(type, parent: audio.codingName, at: stsd.offset) }
            do throws(CodecError) { return (body, try parse(body)) } catch {
                throw .invalidValue(type, reason: "\(error)", at: stsd.offset)
            }
        }
        switch audio.codingName {
        case "ac-3":
            let (body, box) = try configuration("dac3") { bytes throws(CodecError) in try AC3SpecificBox(parsing: bytes) }
            return SampleDescription(codec: .ac3, configuration: body, sampleRate: box.sampleRate, channelCount: UInt16(box.channelCount))
        case "ec-3":
            let (body, box) = try configuration("dec3") { bytes throws(CodecError) in try EC3SpecificBox(parsing: bytes) }
            return SampleDescription(codec: .eac3, configuration: body, sampleRate: audio.sampleRate, channelCount: UInt16(box.channelCount))
        case "Opus":
            let (_, header) = try configuration("dOps") { bytes throws(CodecError) in try OpusIdentificationHeader(opusSpecificBox: bytes) }
            return .opus(header: header)
        case "ulaw", "alaw":
            return .g711(audio.codingName == "ulaw" ? .pcmMulaw : .pcmAlaw, sampleRate: audio.sampleRate, channelCount: audio.channelCount)
        default:
            break
        }
        guard let descriptor = audio.elementaryStreamDescriptor else {
            throw .missingBox(ElementaryStreamDescriptorBox.type, parent: audio.codingName, at: stsd.offset)
        }
        let objectType = descriptor.objectTypeIndication
        if objectType == ElementaryStreamDescriptor.mpeg1Audio || objectType == ElementaryStreamDescriptor.mpeg2Audio {
            return SampleDescription(codec: .mp3, configuration: [], sampleRate: audio.sampleRate, channelCount: audio.channelCount)
        }
        guard objectType == ElementaryStreamDescriptor.mpeg4Audio
                || ElementaryStreamDescriptor.mpeg2AAC.contains(objectType) else { return nil }
        guard !descriptor.decoderSpecificInfo.isEmpty else {
            throw .invalidValue(ElementaryStreamDescriptorBox.type, reason: "no AudioSpecificConfig", at: stsd.offset)
        }
        return SampleDescription(codec: .aac, configuration: descriptor.decoderSpecificInfo,
                                 sampleRate: audio.sampleRate, channelCount: audio.channelCount)
    }

    public init(trackID: UInt32, handlerType: FourCC, kind: MediaKind, timescale: UInt32, duration: UInt64,
                editList: [EditListBox.Entry], sampleEntries: [SampleEntry], sampleDescriptions: [SampleDescription],
                samples: [MP4Sample], timeline: PresentationTimeline) {
        self.trackID = trackID
        self.handlerType = handlerType
        self.kind = kind
        self.timescale = timescale
        self.duration = duration
        self.editList = editList
        self.sampleEntries = sampleEntries
        self.sampleDescriptions = sampleDescriptions
        self.samples = samples
        self.timeline = timeline
    }
}
