import ISOBMFF
import MediaCore

/// The same export as fragmented MP4 for HLS (RFC 8216 3.3, ISO/IEC 14496-12 8.8): an init
/// segment (`ftyp`, a `moov` with the sample descriptions and `mvex`) and one media segment
/// (`moof` + `mdat`) per chunk, each made on request from the plan, the samples read from the
/// chunk file.
///
/// ```
/// init:     ftyp | moov (mvhd, trak: stsd + empty tables, mvex: trex)
/// segment:  moof (mfhd, traf: tfhd tfdt trun ...) | mdat header | samples of chunk k
/// ```
///
/// Fragments carry no edit list: decoding times are moved up so that the earliest is 0
/// (tfdt is unsigned), the same amount for every track, so audio and video stay in sync;
/// a cut range starts at the keyframe before it.
public struct FragmentedExport: Sendable {
    /// One media segment: its chunk and its length in seconds (`#EXTINF`).
    public struct Segment: Sendable, Equatable {
        public var source: ExportSource
        public var duration: Double
    }

    public let segments: [Segment]
    let tracks: [ExportTrack]
    /// Per track, the sample index range of each segment.
    let ranges: [[Range<Int>]]

    /// The fragmented form of `ChunkConcatenation.export(sources, start:, end:)`.
    public init(_ sources: [ExportSource], start: Double? = nil, end: Double? = nil) throws(ExportError) {
        let plan = try ChunkConcatenation.plan(sources, start: start, end: end)
        var tracks = plan.tracks
        // The same shift in seconds for every track: the earliest decoding time becomes 0.
        let shift = tracks.map { -Double($0.samples[0].dts) / Double($0.timescale) }.max() ?? 0
        for t in tracks.indices {
            let ticks = Int64((max(0, shift) * Double(tracks[t].timescale)).rounded(.up))
            for s in tracks[t].samples.indices { tracks[t].samples[s].dts += ticks }
        }
        var ranges: [[Range<Int>]] = []
        for track in tracks {
            var perSegment: [Range<Int>] = []
            var index = 0
            for source in plan.sources.indices {
                let start = index
                while index < track.samples.count && track.samples[index].source == source { index += 1 }
                perSegment.append(start..<index)
            }
            ranges.append(perSegment)
        }
        segments = plan.sources.indices.map { k in
            let seconds = tracks.indices.map { t in
                Double(tracks[t].samples[ranges[t][k]].reduce(0) { $0 + $1.duration }) / Double(tracks[t].timescale)
            }
            return Segment(source: plan.sources[k], duration: seconds.max() ?? 0)
        }
        self.tracks = tracks
        self.ranges = ranges
    }

    /// `ftyp` and `moov` with every track's sample descriptions and empty sample tables.
    public var initSegment: [UInt8] {
        let fileType = FileTypeBox(majorBrand: "iso6", minorVersion: 0, compatibleBrands: ["iso6", "cmfc", "mp41"]).encoded
        var traks: [[UInt8]] = []
        var extends: [[UInt8]] = []
        for (index, track) in tracks.enumerated() {
            let id = UInt32(index + 1)
            let stbl = ExportMovieWriter.container("stbl", [
                SampleDescriptionBox(entries: track.entries).encoded, TimeToSampleBox(entries: []).encoded,
                SampleToChunkBox(entries: []).encoded, SampleSizeBox(sizes: .constant(size: 0, sampleCount: 0)).encoded,
                ChunkOffsetBox(entries: []).encoded,
            ])
            let mdia = ExportMovieWriter.media(track, duration: 0, time: 0, sampleTable: stbl)
            let header = TrackHeaderBox(trackID: id, duration: 0, isAudio: track.kind == .audio, width: track.width, height: track.height,
                                        flags: TrackHeaderBox.enabled | TrackHeaderBox.inMovie | TrackHeaderBox.inPreview)
            traks.append(ExportMovieWriter.container("trak", [header.encoded, mdia]))
            // trex (8.8.3): no defaults; every fragment states its own.
            var trex = ByteWriter()
            trex.writeBox("trex", bodySize: 24) { body in
                body.writeVersionAndFlags(0, 0)
                body.write(id)
                body.write(UInt32(1))
                body.write(UInt32(0))
                body.write(UInt32(0))
                body.write(UInt32(0))
            }
            extends.append(trex.bytes)
        }
        let movieHeader = MovieHeaderBox(timescale: ChunkConcatenation.movieTimescale, duration: 0, nextTrackID: UInt32(tracks.count + 1))
        return fileType + ExportMovieWriter.container("moov", [movieHeader.encoded] + traks + [ExportMovieWriter.container("mvex", extends)])
    }

    /// Segment `index`: a `moof` whose runs point into the `mdat` after it, and the samples
    /// spliced from the chunk file.
    public func mediaSegment(_ index: Int) -> SplicedFile {
        precondition(segments.indices.contains(index), "segment \(index) of \(segments.count)")
        let path = segments[index].source.path
        // One run per track and sample description, its samples one after the other.
        var runs: [(track: Int, samples: ArraySlice<ExportTrack.Sample>)] = []
        for t in tracks.indices {
            var slice = tracks[t].samples[ranges[t][index]]
            while let first = slice.first {
                let end = slice.firstIndex { $0.descriptionIndex != first.descriptionIndex } ?? slice.endIndex
                runs.append((t, slice[slice.startIndex..<end]))
                slice = slice[end...]
            }
        }
        let payloadSize = runs.reduce(Int64(0)) { $0 + $1.samples.reduce(0) { $0 + Int64($1.size) } }
        var mdatHeader = ByteWriter()
        BoxHeader(type: "mdat", bodySize: payloadSize).write(to: &mdatHeader)
        // Its size does not depend on the data offsets: write it once to learn it.
        let moofSize = movieFragment(index, runs: runs, dataStart: 0).count
        let moof = movieFragment(index, runs: runs, dataStart: Int64(moofSize + mdatHeader.count))
        var parts: [SplicedFile.Part] = [.bytes(moof + mdatHeader.bytes)]
        for run in runs {
            for sample in run.samples {
                if case .fileRange(_, let offset, let count)? = parts.last, offset + count == sample.sourceOffset {
                    parts[parts.count - 1] = .fileRange(path: path, offset: offset, count: count + Int64(sample.size))
                } else {
                    parts.append(.fileRange(path: path, offset: sample.sourceOffset, count: Int64(sample.size)))
                }
            }
        }
        return SplicedFile(parts: parts)
    }

    /// `moof` (8.8.4): `mfhd`, then a `traf` per run with `tfhd` (8.8.7: base is the moof,
    /// the run's description), `tfdt` (8.8.12) and a version-1 `trun` (8.8.8: duration, size,
    /// flags and signed composition offset of every sample).
    func movieFragment(_ index: Int, runs: [(track: Int, samples: ArraySlice<ExportTrack.Sample>)], dataStart: Int64) -> [UInt8] {
        var children: [[UInt8]] = []
        var mfhd = ByteWriter()
        mfhd.writeBox("mfhd", bodySize: 8) { body in
            body.writeVersionAndFlags(0, 0)
            body.write(UInt32(index + 1))
        }
        children.append(mfhd.bytes)
        var dataOffset = dataStart
        for run in runs {
            let first = run.samples.first!
            var tfhd = ByteWriter()
            tfhd.writeBox("tfhd", bodySize: 12) { body in
                body.writeVersionAndFlags(0, 0x02_0000 | 0x02)   // default-base-is-moof, sample-description-index
                body.write(UInt32(run.track + 1))
                body.write(first.descriptionIndex)
            }
            var tfdt = ByteWriter()
            tfdt.writeBox("tfdt", bodySize: 12) { body in
                body.writeVersionAndFlags(1, 0)
                body.write(UInt64(max(0, first.dts)))
            }
            var trun = ByteWriter()
            trun.writeBox("trun", bodySize: 12 + 16 * run.samples.count) { body in
                body.writeVersionAndFlags(1, 0x001 | 0x100 | 0x200 | 0x400 | 0x800)
                body.write(UInt32(run.samples.count))
                body.write(Int32(clamping: dataOffset))
                for sample in run.samples {
                    body.write(UInt32(clamping: sample.duration))
                    body.write(sample.size)
                    // sample_depends_on 2 (a sync sample), else 1 and sample_is_non_sync_sample.
                    body.write(sample.isSync ? UInt32(0x0200_0000) : UInt32(0x0101_0000))
                    body.write(sample.compositionOffset)
                }
            }
            children.append(ExportMovieWriter.container("traf", [tfhd.bytes, tfdt.bytes, trun.bytes]))
            dataOffset += run.samples.reduce(0) { $0 + Int64($1.size) }
        }
        return ExportMovieWriter.container("moof", children)
    }
}
