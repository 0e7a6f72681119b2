import ISOBMFF
import MediaCore

/// Writes the `ftyp`, `moov` and `mdat` header of an export, and splices them in front of the
/// payload parts. Every box is one of ISOBMFF's typed boxes, so each has one write path.
enum ExportMovieWriter {
    static func file(tracks: [ExportTrack], presentation: Range<Double>, payload: [SplicedFile.Part],
                     creationTime: UInt64) -> SplicedFile {
        let payloadSize = payload.reduce(0) { $0 + $1.count }
        let fileType = fileTypeBox(tracks).encoded
        let mdatHeader = BoxHeader(type: "mdat", bodySize: payloadSize)
        var header = ByteWriter()
        mdatHeader.write(to: &header)
        // The moov's size does not depend on the offsets' values, only on their width: plan
        // with 32-bit offsets, widen when the payload ends past 4 GiB, then write for real.
        // The tables but the chunk offsets are written once (an hour has a quarter million
        // samples); only the offset box is written again.
        let tables = tracks.map(sampleTables)
        var useLargeOffsets = false
        var movie = movieBox(tracks, tables: tables, presentation: presentation, creationTime: creationTime, payloadStart: 0, largeOffsets: false)
        if Int64(fileType.count + movie.count + header.count) + payloadSize > Int64(UInt32.max) {
            useLargeOffsets = true
            movie = movieBox(tracks, tables: tables, presentation: presentation, creationTime: creationTime, payloadStart: 0, largeOffsets: true)
        }
        let payloadStart = Int64(fileType.count + movie.count + header.count)
        movie = movieBox(tracks, tables: tables, presentation: presentation, creationTime: creationTime, payloadStart: payloadStart,
                         largeOffsets: useLargeOffsets)
        return SplicedFile(parts: [.bytes(fileType + movie + header.bytes)] + payload)
    }

    static func fileTypeBox(_ tracks: [ExportTrack]) -> FileTypeBox {
        var brands: [FourCC] = ["isom", "iso2"]
        for name in tracks.flatMap({ $0.entries.map(\.codingName) }) where ["avc1", "hvc1", "hev1", "av01"].contains(name) {
            let brand: FourCC = name == "hev1" ? "hvc1" : name
            if !brands.contains(brand) { brands.append(brand) }
        }
        brands.append("mp41")
        return FileTypeBox(majorBrand: "isom", minorVersion: 512, compatibleBrands: brands)
    }

    static func movieBox(_ tracks: [ExportTrack], tables: [SampleTables], presentation: Range<Double>, creationTime: UInt64,
                         payloadStart: Int64, largeOffsets: Bool) -> [UInt8] {
        let time = creationTime + ChunkConcatenation.mp4EpochOffset
        let movieScale = ChunkConcatenation.movieTimescale
        var trackBoxes: [[UInt8]] = []
        var movieDuration: UInt64 = 0
        for (index, track) in tracks.enumerated() {
            let (edits, trackDuration) = editList(track, presentation: presentation)
            movieDuration = max(movieDuration, trackDuration)
            let mediaDuration = UInt64(track.samples.reduce(0) { $0 + $1.duration })
            let header = TrackHeaderBox(trackID: UInt32(index + 1), duration: trackDuration, isAudio: track.kind == .audio,
                                        width: track.width, height: track.height,
                                        flags: TrackHeaderBox.enabled | TrackHeaderBox.inMovie | TrackHeaderBox.inPreview,
                                        creationTime: time, modificationTime: time)
            let media = self.media(track, duration: mediaDuration, time: time,
                                   sampleTable: tables[index].stbl(payloadStart: payloadStart, largeOffsets: largeOffsets))
            trackBoxes.append(container("trak", [
                header.encoded, container("edts", [EditListBox(entries: edits).encoded]), media,
            ]))
        }
        let movieHeader = MovieHeaderBox(timescale: movieScale, duration: movieDuration, nextTrackID: UInt32(tracks.count + 1),
                                         creationTime: time, modificationTime: time)
        return container("moov", [movieHeader.encoded] + trackBoxes)
    }

    /// `mdia` (8.4): `mdhd`, `hdlr` (named as ffmpeg names its handlers), `minf` with `vmhd`
    /// or `smhd`, a self-contained `dinf`, and `sampleTable`.
    static func media(_ track: ExportTrack, duration: UInt64, time: UInt64, sampleTable: [UInt8]) -> [UInt8] {
        let isVideo = track.kind == .video
        return container("mdia", [
            MediaHeaderBox(timescale: track.timescale, duration: duration, creationTime: time, modificationTime: time).encoded,
            HandlerBox(handlerType: isVideo ? HandlerBox.video : HandlerBox.sound, name: isVideo ? "VideoHandler" : "SoundHandler").encoded,
            container("minf", [
                isVideo ? VideoMediaHeaderBox().encoded : SoundMediaHeaderBox().encoded,
                container("dinf", [DataReferenceBox.selfContained.encoded]),
                sampleTable,
            ]),
        ])
    }

    /// The edit list that presents exactly `presentation` (seconds on the export's timeline):
    /// an empty edit while the track has not started yet, then the media from the time that
    /// shows `presentation.lowerBound` (8.6.6). Returns it and its length (movie timescale).
    static func editList(_ track: ExportTrack, presentation: Range<Double>) -> ([EditListBox.Entry], UInt64) {
        let scale = Double(track.timescale)
        let movieScale = Double(ChunkConcatenation.movieTimescale)
        let origin = track.samples[0].dts
        let firstPresented = Double(track.samples.map { $0.dts + Int64($0.compositionOffset) }.min() ?? origin) / scale
        let start = max(presentation.lowerBound, firstPresented)
        var edits: [EditListBox.Entry] = []
        let empty = UInt64(max(0, ((start - presentation.lowerBound) * movieScale).rounded()))
        if empty > 0 { edits.append(EditListBox.Entry(segmentDuration: empty, mediaTime: -1)) }
        let mediaTime = max(0, Int64((start * scale).rounded()) - origin)
        let segment = UInt64(max(0, ((presentation.upperBound - start) * movieScale).rounded()))
        edits.append(EditListBox.Entry(segmentDuration: segment, mediaTime: mediaTime))
        return (edits, empty + segment)
    }

    /// The boxes of an `stbl` (8.5.1) up to `stsc`, encoded, and the chunk offsets in the
    /// payload, for `stco` or `co64` once the payload's place is known.
    struct SampleTables {
        var boxes: [[UInt8]]
        var chunkOffsets: [Int64]

        func stbl(payloadStart: Int64, largeOffsets: Bool) -> [UInt8] {
            container("stbl", boxes + [largeOffsets ? ChunkLargeOffsetBox(entries: chunkOffsets.map { UInt64(payloadStart + $0) }).encoded
                                                    : ChunkOffsetBox(entries: chunkOffsets.map { UInt32(payloadStart + $0) }).encoded])
        }
    }

    /// The entries as the chunks had them, then the tables of the samples.
    static func sampleTables(_ track: ExportTrack) -> SampleTables {
        let samples = track.samples
        var timeToSample: [TimeToSampleBox.Entry] = []
        var composition: [CompositionOffsetBox.Entry] = []
        var syncNumbers: [UInt32] = []
        var sizes: [UInt32] = []
        var chunkOffsets: [Int64] = []
        var sampleToChunk: [SampleToChunkBox.Entry] = []
        var chunkSamples: UInt32 = 0
        var chunkDescription: UInt32 = 0
        func closeChunk() {
            guard chunkSamples > 0 else { return }
            sampleToChunk.appendChunk(UInt32(chunkOffsets.count), samples: chunkSamples, descriptionIndex: chunkDescription)
        }
        var nextOffset: Int64 = -1
        for (number, sample) in samples.enumerated() {
            timeToSample.appendSample(UInt32(clamping: sample.duration))
            composition.appendSample(sample.compositionOffset)
            if sample.isSync { syncNumbers.append(UInt32(number + 1)) }
            sizes.append(sample.size)
            // An MP4 chunk is a run of samples adjacent in the file with one description.
            if sample.payloadOffset != nextOffset || sample.descriptionIndex != chunkDescription {
                closeChunk()
                chunkOffsets.append(sample.payloadOffset)
                chunkSamples = 0
                chunkDescription = sample.descriptionIndex
            }
            chunkSamples += 1
            nextOffset = sample.payloadOffset + Int64(sample.size)
        }
        closeChunk()
        var children = [
            SampleDescriptionBox(entries: track.entries).encoded,
            TimeToSampleBox(entries: timeToSample).encoded,
        ]
        if composition.contains(where: { $0.value != 0 }) {
            children.append(CompositionOffsetBox(entries: composition).encoded)
        }
        if syncNumbers.count < samples.count { children.append(SyncSampleBox(entries: syncNumbers).encoded) }
        let constant = sizes.allSatisfy { $0 == sizes[0] }
        children.append(SampleSizeBox(sizes: constant ? .constant(size: sizes[0], sampleCount: UInt32(sizes.count))
                                                                         : .perSample(sizes)).encoded)
        children.append(SampleToChunkBox(entries: sampleToChunk).encoded)
        return SampleTables(boxes: children, chunkOffsets: chunkOffsets)
    }

    /// A container box around already encoded children.
    static func container(_ type: FourCC, _ children: [[UInt8]]) -> [UInt8] {
        let bodySize = children.reduce(0) { $0 + $1.count }
        var writer = ByteWriter(capacity: bodySize + 16)
        writer.writeBox(type, bodySize: bodySize) { body in children.forEach { body.write(bytes: $0) } }
        return writer.bytes
    }
}
