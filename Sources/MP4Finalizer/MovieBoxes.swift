import MediaCore
import ISOBMFF

/// The small boxes of a moov as `LayoutNode`s, their bodies written by ISOBMFF's box types so
/// that each box has one write path (ISO/IEC 14496-12 clause numbers in each doc line).
///
/// Full-box versions are the caller's choice: `MovieLayout` asks for version 1 only where a
/// value needs 64 bits, and refuses it outright in `winQtCompat` mode.
enum MovieBoxes {
    /// Seconds between the MP4 epoch (1904-01-01) and the Unix epoch.
    static let mp4EpochOffset: UInt64 = 2_082_844_800

    /// `ftyp` (4.3): isom with the brands of the codecs inside.
    static func fileType(codecs: [Codec]) -> LayoutNode {
        var brands: [FourCC] = ["isom", "iso2"]
        if codecs.contains(.h264) { brands.append("avc1") }
        if codecs.contains(.h265) { brands.append("hvc1") }
        if codecs.contains(.av1) { brands.append("av01") }
        brands.append("mp41")
        return leaf(FileTypeBox(majorBrand: "isom", minorVersion: 512, compatibleBrands: brands))
    }

    /// `mvhd` (8.2.2); `creationTime` is Unix seconds and also the modification time.
    static func movieHeader(creationTime: UInt64, timescale: UInt32, duration: UInt64, nextTrackID: UInt32, version: UInt8) -> LayoutNode {
        let time = creationTime + mp4EpochOffset
        var box = MovieHeaderBox(timescale: timescale, duration: duration, nextTrackID: nextTrackID,
                                 creationTime: time, modificationTime: time)
        box.times.version = version
        return leaf(box)
    }

    /// `tkhd` (8.3.2): enabled, in movie and preview; audio in alternate group 1 at full volume.
    static func trackHeader(trackID: UInt32, creationTime: UInt64, duration: UInt64, kind: MediaKind,
                            width: UInt16, height: UInt16, version: UInt8) -> LayoutNode {
        let time = creationTime + mp4EpochOffset
        var box = TrackHeaderBox(trackID: trackID, duration: duration, isAudio: kind == .audio, width: width, height: height,
                                 flags: TrackHeaderBox.enabled | TrackHeaderBox.inMovie | TrackHeaderBox.inPreview,
                                 creationTime: time, modificationTime: time)
        box.version = version
        return leaf(box)
    }

    /// `mdhd` (8.4.2), language "und".
    static func mediaHeader(creationTime: UInt64, timescale: UInt32, duration: UInt64, version: UInt8) -> LayoutNode {
        let time = creationTime + mp4EpochOffset
        var box = MediaHeaderBox(timescale: timescale, duration: duration, language: "und",
                                 creationTime: time, modificationTime: time)
        box.times.version = version
        return leaf(box)
    }

    /// `hdlr` (8.4.3), named as ffmpeg names its handlers.
    static func handler(kind: MediaKind) -> LayoutNode {
        kind == .video
            ? leaf(HandlerBox(handlerType: HandlerBox.video, name: "VideoHandler"))
            : leaf(HandlerBox(handlerType: HandlerBox.sound, name: "SoundHandler"))
    }

    /// `vmhd` (12.1.2) or `smhd` (12.2.2).
    static func mediaInformationHeader(kind: MediaKind) -> LayoutNode {
        kind == .video ? leaf(VideoMediaHeaderBox()) : leaf(SoundMediaHeaderBox())
    }

    /// `dinf` with a `dref` holding one self-contained `url ` entry (8.7.1-8.7.2).
    static func dataInformation() -> LayoutNode {
        .container("dinf", prefix: [], children: [leaf(DataReferenceBox.selfContained)])
    }

    /// An `elst` entry: `mediaTime` -1 is an empty edit (8.6.6).
    typealias Edit = EditListBox.Entry

    /// `edts` holding an `elst` (8.6.5-8.6.6).
    static func editList(_ edits: [Edit], version: UInt8) -> LayoutNode {
        .container("edts", prefix: [], children: [leaf(EditListBox(version: version, entries: edits))])
    }

    /// `stsd` (8.5.2) with one sample entry per description; `bitrate` goes into each `esds`.
    static func sampleDescriptions(_ descriptions: [SampleDescription], bitrate: (max: UInt32, average: UInt32, bufferSize: UInt32)) -> LayoutNode {
        leaf(SampleDescriptionBox(entries: descriptions.map { sampleEntry($0, bitrate: bitrate) }))
    }

    /// `avc1`/`hvc1`/`av01`/`vp09` with the configuration record in `avcC`/`hvcC`/`av1C`/`vpcC`
    /// (ISO/IEC 14496-15 5.4, 8.4; AV1-ISOBMFF 2.2-2.3; VP Codec ISO Media File Format Binding
    /// 2.1-2.2), `mp4a` with an `esds` carrying the AudioSpecificConfig or MP3's object type
    /// (ISO/IEC 14496-14 5.6), `ac-3`/`ec-3` with `dac3`/`dec3` (ETSI TS 102 366 F), `Opus` with
    /// `dOps`, `ulaw`/`alaw`.
    private static func sampleEntry(_ d: SampleDescription, bitrate: (max: UInt32, average: UInt32, bufferSize: UInt32)) -> SampleEntry {
        switch d.codec {
        case .h264, .h265:
            return .visual(VisualSampleEntry(codingName: d.codec == .h264 ? "avc1" : "hvc1", width: d.width, height: d.height,
                                             configurationRecord: d.configuration))
        case .av1, .vp9:
            return .visual(VisualSampleEntry(codingName: d.codec == .av1 ? "av01" : "vp09", width: d.width, height: d.height,
                                             configurationRecord: d.configuration))
        case .aac:
            let descriptor = ElementaryStreamDescriptor(audioSpecificConfig: d.configuration, bufferSizeDB: bitrate.bufferSize,
                                                        maxBitrate: bitrate.max, averageBitrate: bitrate.average)
            return .audio(AudioSampleEntry(channelCount: d.channelCount, sampleRate: d.sampleRate, descriptor: descriptor))
        case .mp3:
            // MPEG-1 audio for the full rates, MPEG-2 for the half and quarter ones, as ffmpeg
            // picks them; the frames carry their own format, so no DecoderSpecificInfo.
            let descriptor = ElementaryStreamDescriptor(
                audioSpecificConfig: [],
                objectTypeIndication: d.sampleRate >= 32000 ? ElementaryStreamDescriptor.mpeg1Audio : ElementaryStreamDescriptor.mpeg2Audio,
                bufferSizeDB: bitrate.bufferSize, maxBitrate: bitrate.max, averageBitrate: bitrate.average)
            return .audio(AudioSampleEntry(channelCount: d.channelCount, sampleRate: d.sampleRate, descriptor: descriptor))
        case .ac3:
            return .audio(AudioSampleEntry(codingName: "ac-3", channelCount: d.channelCount, sampleRate: d.sampleRate,
                                           children: [RawBox(type: "dac3", body: d.configuration)]))
        case .eac3:
            return .audio(AudioSampleEntry(codingName: "ec-3", channelCount: d.channelCount, sampleRate: d.sampleRate,
                                           children: [RawBox(type: "dec3", body: d.configuration)]))
        case .opus:
            return .audio(AudioSampleEntry(codingName: "Opus", channelCount: d.channelCount, sampleRate: d.sampleRate,
                                           children: [RawBox(type: "dOps", body: d.configuration)]))
        case .pcmMulaw, .pcmAlaw:
            // QuickTime's G.711 entries: ISO BMFF has none, and ffmpeg's reader (shared by .mov
            // and .mp4) maps them to the same decoder, so the bytes stay as they were sent.
            return .audio(AudioSampleEntry(codingName: d.codec == .pcmMulaw ? "ulaw" : "alaw", channelCount: d.channelCount,
                                           sampleRate: d.sampleRate, children: []))
        }
    }

    /// A leaf whose body the typed box writes; the header is `LayoutNode`'s to write.
    private static func leaf<B: Box>(_ box: B) -> LayoutNode {
        .leaf(B.type, body: box.encodedBody)
    }
}
