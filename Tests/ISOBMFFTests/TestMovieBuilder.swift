import MediaCore
@testable import ISOBMFF

/// Writes a progressive MP4 with this module's box writers, laid out the way our finalizer
/// will lay out its output, so that the reader is tested on those shapes too:
///
/// ```
/// ftyp | moov (mvhd, trak...) | mdat (64-bit size when asked) | samples, one per chunk
/// ```
/// Plan, then write: the moov is built once with zero offsets to learn its size (offsets do
/// not change it), then again with the real ones.
struct TestMovieBuilder {
    struct Sample {
        var payload: [UInt8]
        var duration: UInt32
        var compositionOffset: Int32
        var isSync: Bool
        var descriptionIndex: UInt32
    }

    struct Track {
        var trackID: UInt32
        var kind: MediaKind
        var timescale: UInt32
        var entries: [SampleEntry]
        var editList: [EditListBox.Entry]
        var samples: [Sample]
        /// Forces a `ctts` version; nil chooses from the offsets.
        var compositionVersion: UInt8? = nil
    }

    var movieTimescale: UInt32 = 1000
    var tracks: [Track]
    /// Storage order: (track index, sample index).
    var order: [(track: Int, sample: Int)]
    var useLargeOffsets = true
    var useLargeMdatSize = true

    func build() -> [UInt8] {
        let ftyp = FileTypeBox(majorBrand: "isom", minorVersion: 0x200, compatibleBrands: ["isom", "iso2", "avc1", "mp41"])
        let planned = moov(offsets: tracks.map { [UInt64](repeating: 0, count: $0.samples.count) })
        let mdatPayload = order.reduce(0) { $0 + tracks[$1.track].samples[$1.sample].payload.count }
        let mdatHeader = BoxHeader(type: "mdat", bodySize: Int64(mdatPayload), forceLargeSize: useLargeMdatSize)
        var offset = UInt64(ftyp.size) + UInt64(planned.count) + UInt64(mdatHeader.headerSize)
        var offsets = tracks.map { [UInt64](repeating: 0, count: $0.samples.count) }
        for (t, s) in order {
            offsets[t][s] = offset
            offset += UInt64(tracks[t].samples[s].payload.count)
        }
        let final = moov(offsets: offsets)
        precondition(final.count == planned.count, "offsets changed the moov size")

        var writer = ByteWriter()
        writer.writeBox(ftyp)
        writer.write(bytes: final)
        mdatHeader.write(to: &writer)
        for (t, s) in order { writer.write(bytes: tracks[t].samples[s].payload) }
        return writer.bytes
    }

    private func container(_ type: FourCC, _ children: [[UInt8]]) -> [UInt8] {
        var writer = ByteWriter()
        writer.writeBox(type, bodySize: children.reduce(0) { $0 + $1.count }) { w in
            children.forEach { w.write(bytes: $0) }
        }
        return writer.bytes
    }

    private func movieDuration(_ track: Track) -> UInt64 {
        track.editList.reduce(0) { $0 + $1.segmentDuration }
    }

    private func moov(offsets: [[UInt64]]) -> [UInt8] {
        let duration = tracks.map(movieDuration).max() ?? 0
        let mvhd = MovieHeaderBox(timescale: movieTimescale, duration: duration,
                                  nextTrackID: (tracks.map(\.trackID).max() ?? 0) + 1)
        return container("moov", [mvhd.encoded] + tracks.indices.map { trak(tracks[$0], offsets: offsets[$0]) })
    }

    private func trak(_ track: Track, offsets: [UInt64]) -> [UInt8] {
        let isAudio = track.kind == .audio
        var width: UInt16 = 0, height: UInt16 = 0
        if case let .visual(entry)? = track.entries.first { (width, height) = (entry.width, entry.height) }
        let tkhd = TrackHeaderBox(trackID: track.trackID, duration: movieDuration(track), isAudio: isAudio,
                                  width: width, height: height)
        let mediaDuration = track.samples.reduce(UInt64(0)) { $0 + UInt64($1.duration) }
        let mdhd = MediaHeaderBox(timescale: track.timescale, duration: mediaDuration)
        let hdlr = isAudio ? HandlerBox(handlerType: HandlerBox.sound, name: "SoundHandler")
                           : HandlerBox(handlerType: HandlerBox.video, name: "VideoHandler")
        let mediaHeader = isAudio ? SoundMediaHeaderBox().encoded : VideoMediaHeaderBox().encoded
        let minf = container("minf", [mediaHeader, container("dinf", [DataReferenceBox.selfContained.encoded]),
                                      stbl(track, offsets: offsets)])
        var children = [tkhd.encoded]
        if !track.editList.isEmpty {
            children.append(container("edts", [EditListBox(entries: track.editList).encoded]))
        }
        children.append(container("mdia", [mdhd.encoded, hdlr.encoded, minf]))
        return container("trak", children)
    }

    private func stbl(_ track: Track, offsets: [UInt64]) -> [UInt8] {
        var stts: [TimeToSampleBox.Entry] = []
        var ctts: [CompositionOffsetBox.Entry] = []
        var stsc: [SampleToChunkBox.Entry] = []
        for (index, sample) in track.samples.enumerated() {
            if stts.last?.value == sample.duration { stts[stts.count - 1].sampleCount += 1 } else {
                stts.append(.init(sampleCount: 1, value: sample.duration))
            }
            if ctts.last?.value == sample.compositionOffset { ctts[ctts.count - 1].sampleCount += 1 } else {
                ctts.append(.init(sampleCount: 1, value: sample.compositionOffset))
            }
            // One sample per chunk: a new stsc entry only where the description changes.
            if stsc.last?.sampleDescriptionIndex != sample.descriptionIndex {
                stsc.append(.init(firstChunk: UInt32(index + 1), samplesPerChunk: 1,
                                  sampleDescriptionIndex: sample.descriptionIndex))
            }
        }
        var children = [SampleDescriptionBox(entries: track.entries).encoded, TimeToSampleBox(entries: stts).encoded]
        if ctts.contains(where: { $0.value != 0 }) {
            let box = track.compositionVersion.map { CompositionOffsetBox(version: $0, entries: ctts) }
                ?? CompositionOffsetBox(entries: ctts)
            children.append(box.encoded)
        }
        if track.samples.contains(where: { !$0.isSync }) {
            let numbers = track.samples.indices.filter { track.samples[$0].isSync }.map { UInt32($0 + 1) }
            children.append(SyncSampleBox(entries: numbers).encoded)
        }
        children.append(SampleToChunkBox(entries: stsc).encoded)
        children.append(SampleSizeBox(sizes: .perSample(track.samples.map { UInt32($0.payload.count) })).encoded)
        children.append(useLargeOffsets ? ChunkLargeOffsetBox(entries: offsets).encoded
                                        : ChunkOffsetBox(entries: offsets.map { UInt32($0) }).encoded)
        return container("stbl", children)
    }
}

extension TestMovieBuilder {
    /// The fixture `reader` rebuilt in our layout, with the shapes the finalizer may produce:
    /// moov first, co64, a 64-bit mdat size, video with signed `ctts` (version 1, shifted so
    /// the first frame's offset is 0) and an edit at media time 0, two identical video sample
    /// descriptions (the second used from the middle on), and audio delayed by an empty edit.
    static func rebuilt(from reader: MP4Reader, audioDelay: UInt64 = 100) throws -> TestMovieBuilder {
        var tracks: [Track] = []
        for source in reader.tracks {
            var entries = source.sampleEntries
            var samples: [Sample] = []
            let isVideo = source.kind == .video
            let shift = isVideo ? source.samples.first.map { $0.compositionOffset } ?? 0 : 0
            for (index, sample) in source.samples.enumerated() {
                let second = isVideo && index >= source.samples.count / 2
                samples.append(Sample(payload: try reader.readSamplePayload(sample), duration: sample.duration,
                                      compositionOffset: sample.compositionOffset - shift, isSync: sample.isSync,
                                      descriptionIndex: second ? 2 : 1))
            }
            var editList = source.editList
            if isVideo {
                entries.append(entries[0])
                editList = editList.map { EditListBox.Entry(segmentDuration: $0.segmentDuration, mediaTime: $0.isEmpty ? -1 : 0) }
            } else {
                editList.insert(EditListBox.Entry(segmentDuration: audioDelay, mediaTime: -1), at: 0)
            }
            tracks.append(Track(trackID: source.trackID, kind: source.kind, timescale: source.timescale, entries: entries,
                                editList: editList, samples: samples, compositionVersion: isVideo ? 1 : nil))
        }
        var order: [(track: Int, sample: Int)] = []
        for (t, track) in reader.tracks.enumerated() { order += track.samples.indices.map { (t, $0) } }
        order.sort { reader.tracks[$0.track].samples[$0.sample].offset < reader.tracks[$1.track].samples[$1.sample].offset }
        return TestMovieBuilder(movieTimescale: reader.movieHeader.times.timescale, tracks: tracks, order: order)
    }
}
