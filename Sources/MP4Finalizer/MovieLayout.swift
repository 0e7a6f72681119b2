import MediaCore
import StagingWriter

/// The planned `ftyp` and `moov` of an output file, with every size and offset known: where
/// the mdat payload starts, whether chunk offsets need `co64` and mdat a 64-bit size.
struct MovieLayout {
    let fileType: LayoutNode
    let movie: LayoutNode
    let useCO64: Bool
    let mdatHeaderSize: Int64
    /// Bytes of the `free` box between moov and the mdat header (0: none), which pads the
    /// header to the alignment an in-place finalize needs.
    let paddingSize: Int64
    /// Offset in the output of the first payload byte (.mdat offset 0).
    let payloadStart: Int64
    /// Planned bytes of every streamed table.
    let streamedSizes: [TableID: Int64]

    /// `alignment`, when given, makes `payloadStart` a multiple of it (the filesystem block
    /// size, for inserting the header in front of .mdat in place).
    init(plans: [TrackPlan], creationTime: UInt64, payloadSize: Int64, winQtCompat: Bool, output: String,
         alignment: Int64? = nil) throws(FinalizeError) {
        fileType = MovieBoxes.fileType(codecs: plans.flatMap { $0.track.descriptions.map(\.codec) })
        mdatHeaderSize = LayoutNode.headerSize(forBody: payloadSize)
        if winQtCompat && mdatHeaderSize > 8 {
            throw .doesNotFit32Bit(path: output, what: "the media data size (\(payloadSize) bytes)")
        }
        let timing = try Self.trackTiming(plans, winQtCompat: winQtCompat, output: output)
        let maxOffset = plans.map(\.counts.maxChunkOffset).max() ?? 0

        var useCO64 = false
        while true {
            var sizes: [TableID: Int64] = [:]
            let movie = try Self.movieBox(plans: plans, timing: timing, creationTime: creationTime,
                                          useCO64: useCO64, winQtCompat: winQtCompat, output: output, sizes: &sizes)
            let unpadded = fileType.size + movie.size + mdatHeaderSize
            var padding: Int64 = 0
            if let alignment, unpadded % alignment != 0 {
                // A free box has an 8-byte header, so pad to the boundary after 8 more bytes.
                padding = (unpadded + 8 + alignment - 1) / alignment * alignment - unpadded
            }
            let start = unpadded + padding
            if !useCO64 && UInt64(start) + maxOffset > UInt64(UInt32.max) {
                if winQtCompat {
                    throw .doesNotFit32Bit(path: output, what: "a chunk offset (\(UInt64(start) + maxOffset))")
                }
                useCO64 = true  // co64 only grows moov, so one more round settles it
                continue
            }
            self.movie = movie
            self.useCO64 = useCO64
            self.paddingSize = padding
            self.payloadStart = start
            self.streamedSizes = sizes
            return
        }
    }

    /// Durations and edit lists of every track, on one presentation timeline.
    struct Timing {
        var mediaDuration: UInt64          // track timescale
        var trackDuration: UInt64          // movie timescale
        var edits: [MovieBoxes.Edit]       // empty: no edit list needed
    }

    /// Edit lists keep A/V sync (ISO/IEC 14496-12 8.6.6): the timeline starts where the
    /// earliest track starts presenting (never before 0, so pre-roll stays hidden); a track
    /// that starts later gets an empty edit first; a media edit skips B-frame delay and
    /// pre-roll (`media_time`) and ends where the source said presentation ends.
    static func trackTiming(_ plans: [TrackPlan], winQtCompat: Bool, output: String) throws(FinalizeError) -> [Timing] {
        let movieScale = Finalizer.movieTimescale
        let earliest = plans.min { Double($0.presentationStart) / Double($0.timescale) < Double($1.presentationStart) / Double($1.timescale) }!
        let originSeconds = (earliest.presentationStart, earliest.timescale)
        return plans.map { plan in
            let scale = plan.timescale
            // The common origin in this track's units (0 when the earliest track has pre-roll).
            let origin = originSeconds.0 > 0 ? TimescaleConversion.rescale(originSeconds.0, from: originSeconds.1, to: scale) : 0
            let start = max(origin, plan.presentationStart)
            let empty = TimescaleConversion.rescale(start - origin, from: scale, to: movieScale)
            let mediaTime = max(0, start - plan.firstDTS)
            let segment = TimescaleConversion.rescale(max(0, plan.presentationEnd - start), from: scale, to: movieScale)
            var edits: [MovieBoxes.Edit] = []
            if empty > 0 || mediaTime != 0 || plan.track.presentationEnd != nil {
                if empty > 0 { edits.append(.init(segmentDuration: UInt64(empty), mediaTime: -1)) }
                edits.append(.init(segmentDuration: UInt64(segment), mediaTime: mediaTime))
            }
            let trackDuration = edits.isEmpty
                ? UInt64(TimescaleConversion.rescale(Int64(plan.mediaDuration), from: scale, to: movieScale))
                : edits.reduce(0) { $0 + $1.segmentDuration }
            return Timing(mediaDuration: plan.mediaDuration, trackDuration: trackDuration, edits: edits)
        }
    }

    private static func movieBox(plans: [TrackPlan], timing: [Timing], creationTime: UInt64, useCO64: Bool,
                                 winQtCompat: Bool, output: String, sizes: inout [TableID: Int64]) throws(FinalizeError) -> LayoutNode {
        func version(_ value: UInt64, _ what: String) throws(FinalizeError) -> UInt8 {
            if value <= UInt64(UInt32.max) { return 0 }
            if winQtCompat { throw .doesNotFit32Bit(path: output, what: what) }
            return 1
        }
        let timeVersion = try version(creationTime + MovieBoxes.mp4EpochOffset, "the creation time")
        let movieDuration = timing.map(\.trackDuration).max() ?? 0
        var children: [LayoutNode] = [
            MovieBoxes.movieHeader(creationTime: creationTime, timescale: Finalizer.movieTimescale,
                                   duration: movieDuration,
                                   nextTrackID: (plans.map(\.track.trackID).max() ?? 0) + 1,
                                   version: max(timeVersion, try version(movieDuration, "the movie duration")))
        ]
        for (index, plan) in plans.enumerated() {
            let t = timing[index]
            let first = plan.track.descriptions[0]
            var trak: [LayoutNode] = [
                MovieBoxes.trackHeader(trackID: plan.track.trackID, creationTime: creationTime, duration: t.trackDuration,
                                       kind: plan.track.kind, width: first.width, height: first.height,
                                       version: max(timeVersion, try version(t.trackDuration, "track \(plan.track.trackID)'s duration")))
            ]
            if !t.edits.isEmpty {
                let wide = t.edits.contains { $0.segmentDuration > UInt64(UInt32.max) || $0.mediaTime > Int64(Int32.max) }
                if wide && winQtCompat { throw .doesNotFit32Bit(path: output, what: "track \(plan.track.trackID)'s edit list") }
                trak.append(MovieBoxes.editList(t.edits, version: wide ? 1 : 0))
            }
            let stbl = sampleTable(plan, index: index, useCO64: useCO64, sizes: &sizes)
            let minf = LayoutNode.container("minf", prefix: [], children: [
                MovieBoxes.mediaInformationHeader(kind: plan.track.kind), MovieBoxes.dataInformation(), stbl,
            ])
            let mdia = LayoutNode.container("mdia", prefix: [], children: [
                MovieBoxes.mediaHeader(creationTime: creationTime, timescale: plan.timescale, duration: t.mediaDuration,
                                       version: max(timeVersion, try version(t.mediaDuration, "track \(plan.track.trackID)'s media duration"))),
                MovieBoxes.handler(kind: plan.track.kind), minf,
            ])
            trak.append(mdia)
            children.append(.container("trak", prefix: [], children: trak))
        }
        return .container("moov", prefix: [], children: children)
    }

    /// `stbl` (8.5.1): stsd, stts, ctts (only with composition offsets), stss (only when some
    /// samples are not sync), stsz (constant form when it applies), stsc, stco or co64.
    private static func sampleTable(_ plan: TrackPlan, index: Int, useCO64: Bool, sizes: inout [TableID: Int64]) -> LayoutNode {
        let c = plan.counts
        func table(_ type: FourCC, _ kind: TableID.Kind, version: UInt8 = 0, entries: Int, entrySize: Int) -> LayoutNode {
            var prefix = ByteWriter()
            prefix.write(UInt32(version) << 24)
            prefix.write(UInt32(entries))
            let id = TableID(track: index, kind: kind)
            sizes[id] = Int64(entries * entrySize)
            return .table(type, prefix: prefix.bytes, streamedSize: Int64(entries * entrySize), id: id)
        }
        var children: [LayoutNode] = [
            MovieBoxes.sampleDescriptions(plan.track.descriptions,
                                          bitrate: (plan.maxBitrate, plan.averageBitrate, c.maxSampleSize)),
            table("stts", .stts, entries: c.timeToSampleEntries, entrySize: 8),
        ]
        if c.needsCompositionOffsets {
            // Version 1 (signed offsets) only when some offset is negative.
            children.append(table("ctts", .ctts, version: c.anyNegativeCompositionOffset ? 1 : 0,
                                  entries: c.compositionEntries, entrySize: 8))
        }
        if c.needsSyncSamples { children.append(table("stss", .stss, entries: c.syncSamples, entrySize: 4)) }
        if let constant = c.constantSampleSize {
            var body = ByteWriter()
            body.write(UInt32(0))
            body.write(constant)
            body.write(UInt32(c.samples))
            children.append(.leaf("stsz", body: body.bytes))
        } else {
            var prefix = ByteWriter()
            prefix.write(UInt32(0))
            prefix.write(UInt32(0))
            prefix.write(UInt32(c.samples))
            let id = TableID(track: index, kind: .stsz)
            sizes[id] = Int64(c.samples * 4)
            children.append(.table("stsz", prefix: prefix.bytes, streamedSize: Int64(c.samples * 4), id: id))
        }
        children.append(table("stsc", .stsc, entries: c.sampleToChunkEntries, entrySize: 12))
        children.append(useCO64 ? table("co64", .chunkOffsets, entries: c.chunks, entrySize: 8)
                                : table("stco", .chunkOffsets, entries: c.chunks, entrySize: 4))
        return .container("stbl", prefix: [], children: children)
    }
}

