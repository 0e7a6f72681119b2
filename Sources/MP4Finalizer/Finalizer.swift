import MediaCore
import StagingWriter
#if canImport(Glibc)
import Glibc
#endif

/// Merges a staging set into a fast-start MP4: `ftyp`, `moov`, then `mdat`.
///
/// ```
/// NAME.mp4: [ftyp][moov ... stbl tables streamed into place ...][mdat hdr][.mdat bytes, unchanged]
/// ```
///
/// Plan, then write once: a size pass over the track files gives every table's size, so
/// every offset is known before the first byte is written; the write pass streams the tables
/// into their places; the payload is copied as is (it never passes through the moov builder).
///
/// Crash safety: the MP4 is written as `NAME.mp4.partial`, fsync'd, renamed to `NAME.mp4`,
/// and the directory fsync'd before any staging file is removed. A crash at any instant leaves
/// the staging set, the complete MP4, or both; rerunning gives the same bytes (every value in
/// the file comes from the set, the creation time included).
public struct Finalizer: Sendable {
    public var options: FinalizeOptions

    /// The payload is copied in pieces of this size: each piece's disk write is started as
    /// soon as it is copied, and the one before it waited for and dropped from the page cache
    /// (write-behind), so the copy and the disk work overlap instead of the final fdatasync
    /// writing gigabytes at once, and a finalize never fills memory with dirty pages that
    /// the live recordings' own syncs would queue behind. Progress is reported per piece.
    static let copyStep: Int64 = 32 << 20

    /// Movie timescale: milliseconds, as most muxers use.
    static let movieTimescale: UInt32 = 1000

    public init(options: FinalizeOptions = FinalizeOptions()) {
        self.options = options
    }

    public func finalize(output: String) throws(FinalizeError) -> FinalizeReport {
        do {
            return try run(output: output)
        } catch let e as FinalizeError {
            throw e
        } catch let e as StagingError {
            throw .staging(e)
        } catch let e as SystemError {
            throw .system(e)
        } catch {
            throw .staging(.malformed(path: output, reason: "\(error)"))
        }
    }

    private func run(output: String) throws -> FinalizeReport {
        let started = monotonicSeconds()
        let paths = StagingPaths(output: output)
        if try InPlaceFinalize.resumeIfInterrupted(output: output, force: options.force) {
            options.progress?(1)
            return try FinalizeReport.describing(output: output, strategy: .inplace, started: started)
        }
        let set: StagingSet
        do {
            set = try StagingSet(output: output)
        } catch {
            guard case .missing = error else { throw error }
            let exists = FileSystem.exists(output)
            if exists && !options.keepStaging && !FileSystem.exists(paths.mdat) {
                // A finalize that was interrupted while removing the set (.mdat goes first):
                // finish the removal. With .mdat still there the set is damaged, not finished.
                for id in paths.existingTrackIDs() { try? FileSystem.remove(paths.track(id)) }
                try? FileSystem.remove(paths.info + ".tmp")
                try? FileSystem.remove(paths.info)
            }
            throw FinalizeError.nothingToDo(path: output, outputExists: exists)
        }
        guard try set.acquireLock() || options.force else { throw FinalizeError.locked(output) }

        let closed = set.info?.closedCleanly ?? false
        // The size pass rides along with validation: one read of each track file for both.
        let tableBudget = options.tableMemoryBudget / max(1, set.tracks.count)
        let measurers = TrackMeasurers(set.tracks.map { ($0.header.trackID, $0.header.codec.kind, $0.header.timescale, $0.unitCount) },
                                       tableBudget: tableBudget)
        let validation = try set.validate(verifyPayloads: (options.recovery && options.verifyClosedSets) || !closed) { id, record in
            try measurers.add(record, track: id)
        }
        if !validation.isClean && !options.recovery {
            throw FinalizeError.damaged(path: output, damage: validation.damageSummary)
        }
        let kept = validation.tracks.filter { $0.keptSamples > 0 }
        guard !kept.isEmpty else {
            throw FinalizeError.nothingRecoverable(path: output, damage: validation.damageSummary + ["no intact sample"])
        }
        options.progress?(0.05)

        let plans = try kept.map { track in
            if track.keptSamplesSeenInOrder, let measurer = measurers.measurer(of: track.trackID) { return try measurer.finish(track) }
            return try TrackPlan.measure(track, in: set, tableBudget: tableBudget)
        }
        let winQt = options.winQtCompat ?? set.info?.winQtCompat ?? false
        let creationTime = set.info?.creationTime ?? set.tracks[0].header.creationTime
        let payloadSize = Int64(plans.map(\.track.payloadEnd).max() ?? 0)
        func layout(alignment: Int64?) throws -> MovieLayout {
            try MovieLayout(plans: plans, creationTime: creationTime, payloadSize: payloadSize,
                            winQtCompat: winQt, output: output, alignment: alignment)
        }

        // In place when asked, or by default unless the staging files must stay.
        var strategyUsed: CopyStrategy
        var moovSeconds = 0.0
        var finalLayout: MovieLayout
        let tryInPlace = options.strategy == .inplace || (options.strategy == .auto && !options.keepStaging)
        if tryInPlace, options.keepStaging {
            throw FinalizeError.staging(.malformed(path: output, reason: "--strategy=inplace turns .mdat into the MP4, so it cannot keep the staging files"))
        }
        if tryInPlace {
            let aligned = try layout(alignment: Int64(try set.mdatDescriptor.blockSize()))
            options.progress?(0.15)
            let header = try headerBytes(of: plans, layout: aligned, payloadSize: payloadSize, output: output)
            if header != nil { moovSeconds = monotonicSeconds() - started }
            if try InPlaceFinalize(output: output, set: set, layout: aligned, payloadSize: payloadSize, afterStep: options.afterStep)
                .run(headerBytes: header, writeHeader: { file in
                    try writeHeader(of: plans, layout: aligned, payloadSize: payloadSize, set: set, to: file)
                    moovSeconds = monotonicSeconds() - started
                }) {
                strategyUsed = .inplace
                finalLayout = aligned
                options.progress?(1)
                return report(output: output, plans: plans, layout: finalLayout, payloadSize: payloadSize,
                              strategy: strategyUsed, validation: validation, started: started, moovSeconds: moovSeconds)
            }
            // The filesystem cannot insert a range (tmpfs, some network filesystems).
            if options.strategy == .inplace {
                throw FinalizeError.staging(.malformed(path: paths.mdat, reason: "this filesystem cannot insert a range in place (FALLOC_FL_INSERT_RANGE); use --strategy=copy"))
            }
        }
        // The payload starts on a block boundary here too: copy_file_range can then share
        // blocks (reflink) where the filesystem can, ext4 copies whole pages instead of
        // splicing across them, and every strategy writes the same bytes. Capped: a network
        // filesystem may report a block of a MiB.
        finalLayout = try layout(alignment: Int64(min(try set.mdatDescriptor.blockSize(), 64 << 10)))
        options.progress?(0.15)

        let temporary = paths.temporaryOutput
        let file = try FileDescriptor.open(temporary, [.writeOnly, .create, .truncate])
        do {
            try writeHeader(of: plans, layout: finalLayout, payloadSize: payloadSize, set: set, to: file)
            moovSeconds = monotonicSeconds() - started
            options.progress?(0.3)
            strategyUsed = try copyPayload(from: set.mdatDescriptor, count: payloadSize, to: file, at: finalLayout.payloadStart)
            // The size matters when the payload is empty or the copy left a hole at the end.
            try file.truncate(to: finalLayout.payloadStart + payloadSize)
            // Durable before it takes the final name: a power cut after the rename must not
            // leave a file of the right name with missing data.
            try file.sync()
            try file.close()
            options.afterStep?(.headerWritten)
        } catch {
            try? file.close()
            try? FileSystem.remove(temporary)
            throw error
        }
        try FileSystem.rename(temporary, to: output)
        // The rename is durable only once the directory is; only then may the set go.
        try FileSystem.syncDirectory(paths.directory)
        options.afterStep?(.renamed)
        if !options.keepStaging { try set.removeFiles() }
        options.progress?(1)
        return report(output: output, plans: plans, layout: finalLayout, payloadSize: payloadSize,
                      strategy: strategyUsed, validation: validation, started: started, moovSeconds: moovSeconds)
    }

    /// Writes ftyp, moov (tables streamed into their planned places), the padding `free` box
    /// and the mdat header: bytes 0..<payloadStart of the output.
    /// Writes the header: in one write when `headerBytes` can assemble it, else with the tables
    /// streamed from the track files.
    private func writeHeader(of plans: [TrackPlan], layout: MovieLayout, payloadSize: Int64,
                             set: StagingSet, to file: FileDescriptor) throws {
        if let header = try headerBytes(of: plans, layout: layout, payloadSize: payloadSize, output: set.paths.output) {
            try file.writeAll(header, toAbsoluteOffset: 0)
            return
        }
        var skeleton: [(offset: Int64, bytes: [UInt8])] = []
        var tableOffsets: [TableID: Int64] = [:]
        layout.fileType.serialize(at: 0, into: &skeleton, tables: &tableOffsets)
        layout.movie.serialize(at: layout.fileType.size, into: &skeleton, tables: &tableOffsets)
        for segment in skeleton { try file.writeAll(segment.bytes, toAbsoluteOffset: segment.offset) }
        for (index, plan) in plans.enumerated() {
            try writeTables(of: plan, index: index, layout: layout, offsets: tableOffsets, set: set, file: file)
        }
        for segment in Self.paddingAndMediaDataHeader(layout: layout, payloadSize: payloadSize) {
            try file.writeAll(segment.bytes, toAbsoluteOffset: segment.offset)
        }
    }

    /// Bytes 0..<payloadStart of the output (ftyp, moov, the padding `free` box, the mdat
    /// header) assembled in memory from the tables the size pass kept; nil when some track's
    /// tables passed the budget.
    private func headerBytes(of plans: [TrackPlan], layout: MovieLayout, payloadSize: Int64, output: String) throws -> [UInt8]? {
        let tables = plans.compactMap(\.tables)
        guard tables.count == plans.count else { return nil }
        var skeleton: [(offset: Int64, bytes: [UInt8])] = []
        var tableOffsets: [TableID: Int64] = [:]
        layout.fileType.serialize(at: 0, into: &skeleton, tables: &tableOffsets)
        layout.movie.serialize(at: layout.fileType.size, into: &skeleton, tables: &tableOffsets)
        skeleton += Self.paddingAndMediaDataHeader(layout: layout, payloadSize: payloadSize)
        for (id, _) in tableOffsets {
            // The counts and the tables come from the same sink, so they always agree; a
            // mismatch would be a bug here, and must not write past a table's place.
            let planned = layout.streamedSizes[id] ?? -1
            let held = Int64(tables[id.track].byteCount(id.kind, useCO64: layout.useCO64))
            guard held == planned else {
                throw FinalizeError.staging(.malformed(path: output,
                    reason: "table \(id.kind) of track \(plans[id.track].track.trackID) holds \(held) bytes, planned \(planned)"))
            }
        }
        // Zeros: the `free` box's body, and what every write below fills.
        var header = [UInt8](repeating: 0, count: Int(layout.payloadStart))
        header.withUnsafeMutableBytes { raw in
            for segment in skeleton {
                segment.bytes.withUnsafeBytes { raw.baseAddress!.advanced(by: Int(segment.offset)).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            }
            for (id, offset) in tableOffsets {
                _ = tables[id.track].encode(id.kind, into: raw, at: Int(offset), payloadStart: UInt64(layout.payloadStart), useCO64: layout.useCO64)
            }
        }
        return header
    }

    /// The `free` box that pads the header to its alignment (none when not needed) and the
    /// mdat header, each at its offset.
    private static func paddingAndMediaDataHeader(layout: MovieLayout, payloadSize: Int64) -> [(offset: Int64, bytes: [UInt8])] {
        var segments: [(offset: Int64, bytes: [UInt8])] = []
        if layout.paddingSize > 0 {
            // `free` (ISO/IEC 14496-12 8.1.2): its body stays zeros.
            var padding = ByteWriter()
            LayoutNode.writeHeader("free", size: layout.paddingSize, to: &padding)
            padding.writeZeros(Int(layout.paddingSize) - padding.count)
            segments.append((layout.fileType.size + layout.movie.size, padding.bytes))
        }
        var header = ByteWriter()
        LayoutNode.writeHeader("mdat", size: layout.mdatHeaderSize + payloadSize, to: &header)
        segments.append((layout.payloadStart - layout.mdatHeaderSize, header.bytes))
        return segments
    }

    private func report(output: String, plans: [TrackPlan], layout: MovieLayout, payloadSize: Int64,
                        strategy: CopyStrategy, validation: StagingValidation, started: Double, moovSeconds: Double) -> FinalizeReport {
        FinalizeReport(
            output: output,
            tracks: plans.map { plan in
                FinalizeReport.Track(trackID: plan.track.trackID, codec: plan.track.codec.description,
                                     samples: plan.track.keptSamples, dropped: plan.track.droppedSamples,
                                     unreadableRecords: plan.track.damagedCount + (plan.track.tornTailBytes > 0 ? 1 : 0),
                                     durationSeconds: Double(plan.mediaDuration) / Double(plan.timescale),
                                     sampleDescriptions: plan.track.descriptions.count)
            },
            fileSize: layout.payloadStart + payloadSize, mdatPayloadBytes: payloadSize,
            usedCO64: layout.useCO64, usedLargeMdat: layout.mdatHeaderSize == 16,
            strategy: strategy.rawValue, recoveredWithLosses: !validation.isClean,
            problems: validation.damageSummary, stagingRemoved: !options.keepStaging || strategy == .inplace,
            elapsedSeconds: monotonicSeconds() - started, moovSeconds: moovSeconds)
    }

    private func writeTables(of plan: TrackPlan, index: Int, layout: MovieLayout, offsets: [TableID: Int64],
                             set: StagingSet, file: FileDescriptor) throws {
        func writer(_ kind: TableID.Kind) -> BufferedFileWriter? {
            offsets[TableID(track: index, kind: kind)].map { BufferedFileWriter(file: file, offset: $0) }
        }
        let sink = SampleTableWriter(stts: writer(.stts)!, ctts: writer(.ctts), stss: writer(.stss), stsz: writer(.stsz),
                                     stsc: writer(.stsc)!, chunkOffsets: writer(.chunkOffsets)!,
                                     payloadStart: UInt64(layout.payloadStart), useCO64: layout.useCO64)
        var builder = SampleTableBuilder(sink: sink, defaultLastDuration: plan.lastSampleDuration)
        try set.forEachKeptSample(of: plan.track) { try builder.add($0) }
        try builder.finish()
        try builder.sink.flush()
        // The write pass must fill exactly what the size pass planned; only a track file that
        // changed between the passes (it is locked) could make it differ.
        for (kind, bytes) in builder.sink.written {
            let planned = layout.streamedSizes[TableID(track: index, kind: kind)] ?? -1
            guard bytes == planned else {
                throw FinalizeError.staging(.malformed(path: set.paths.track(plan.track.trackID),
                    reason: "changed while being finalized: table \(kind) took \(bytes) bytes, planned \(planned); nothing was replaced"))
            }
        }
    }

    /// Copies .mdat's data ranges (holes of a sparse file stay holes: the output is truncated
    /// to its full size afterwards) with the strategy asked for; returns the one that ran.
    private func copyPayload(from source: FileDescriptor, count: Int64, to file: FileDescriptor, at offset: Int64) throws -> CopyStrategy {
        var used: CopyStrategy = options.strategy == .readwrite ? .readwrite : .copy  // auto lands here after in-place
        var copied: Int64 = 0
        var previous: (offset: Int64, length: Int64)?
        for range in try source.dataRanges(from: 0, to: count) {
            var start = range.lowerBound
            while start < range.upperBound {
                let length = min(Self.copyStep, range.upperBound - start)
                let kernelCopied = used == .copy
                    ? try file.copyRange(from: source, sourceOffset: start, count: length, toOffset: offset + start)
                    : false
                if !kernelCopied {
                    // The kernel cannot copy between these files (another filesystem, an old kernel).
                    used = .readwrite
                    try file.copyRangeByReading(from: source, sourceOffset: start, count: length, toOffset: offset + start)
                }
                // Write-behind (`copyStep`). Hints only: a failed write surfaces again at the
                // fdatasync that makes the output durable, which is the step that counts.
                try? file.startWriteback(offset: offset + start, length: length)
                if let piece = previous {
                    try? file.waitForWriteback(offset: piece.offset, length: piece.length)
                    file.dropCachedPages(offset: piece.offset, length: piece.length)
                }
                previous = (offset + start, length)
                start += length
                copied += length
                options.progress?(0.3 + 0.6 * Double(copied) / Double(max(1, count)))
            }
        }
        return used
    }
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
