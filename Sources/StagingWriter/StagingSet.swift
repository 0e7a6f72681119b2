import MediaCore

/// Reads a staging set written by `StagingWriter` (or left by a crash): its `.info` when
/// readable, every track file found beside it, and the `.mdat` size. `validate` decides,
/// deterministically from the bytes on disk, which samples are intact.
public final class StagingSet {
    public let paths: StagingPaths
    public let info: StagingInfo?
    /// Why `.info` could not be used, when it could not.
    public let infoProblem: String?
    public let tracks: [StagingTrackReader]
    /// Track files named by `.info` that are missing, and other unreadable track files.
    public let trackProblems: [String]
    public let mdatSize: Int64
    private let mdat: FileDescriptor
    private var lockHeld = false

    /// Opens the set for the final path `output`. Throws `.missing` when there is no .mdat or
    /// no readable track file: nothing to finalize.
    public init(output: String) throws(StagingError) {
        paths = StagingPaths(output: output)
        do {
            mdat = try FileDescriptor.open(paths.mdat, .readOnly)
            mdatSize = try mdat.size()
        } catch {
            throw error.isNotFound ? .missing(paths.mdat) : .system(error)
        }
        var info: StagingInfo?
        var infoProblem: String?
        do {
            info = try StagingInfo(decoding: try FileSystem.readFile(paths.info), path: paths.info)
        } catch let e as StagingError {
            infoProblem = e.description
        } catch let e as SystemError {
            infoProblem = e.isNotFound ? "\(paths.info): missing" : e.description
        } catch {
            infoProblem = "\(error)"
        }
        self.info = info
        self.infoProblem = infoProblem

        var ids = Set(paths.existingTrackIDs())
        info?.tracks.forEach { ids.insert($0.description.trackID) }
        var readers: [StagingTrackReader] = []
        var problems: [String] = []
        for id in ids.sorted() {
            do {
                let reader = try StagingTrackReader(path: paths.track(id))
                if let info, reader.header.setID != info.setID {
                    problems.append("\(reader.path): belongs to another recording (set id differs); ignored")
                    reader.close()
                    continue
                }
                readers.append(reader)
            } catch {
                problems.append(error.description)
            }
        }
        tracks = readers
        trackProblems = problems
        guard !readers.isEmpty else {
            try? mdat.close()
            throw .missing(problems.first ?? paths.track(1))
        }
    }

    deinit {
        tracks.forEach { $0.close() }
        try? mdat.close()
    }

    /// Takes the writer's lock on .mdat and keeps it while this set is open, so that no
    /// recorder or second finalizer works on the set meanwhile. False: another process has it.
    public func acquireLock() throws(StagingError) -> Bool {
        if lockHeld { return true }
        do {
            lockHeld = try mdat.tryLockExclusive()
        } catch {
            throw .system(error)
        }
        return lockHeld
    }

    /// Reads one sample's payload from .mdat.
    public func readPayload(_ record: StagingRecord) throws(StagingError) -> [UInt8] {
        do {
            return try mdat.read(count: Int(record.size), fromAbsoluteOffset: Int64(record.offset))
        } catch {
            throw .system(error)
        }
    }

    /// The .mdat file, for copy strategies that move its bytes.
    public var mdatDescriptor: FileDescriptor { mdat }

    /// Checks every record of every track. With `verifyPayloads`, each payload's checksum
    /// is checked too (reads all of .mdat): needed for sets that never closed cleanly, where
    /// a power cut may have left zeros or garbage behind valid records.
    /// `onKept`, when given, sees every sample the validation keeps, in order, as it decides
    /// (so a caller can measure the tables in the same pass). A track whose decisions changed
    /// after the fact (a sample naming a description that only .info knows) is flagged
    /// `keptSamplesSeenInOrder == false`: its observations must be discarded.
    public func validate(verifyPayloads: Bool, onKept: ((UInt32, StagingRecord) throws -> Void)? = nil) throws -> StagingValidation {
        var problems: [String] = []
        if let infoProblem { problems.append(infoProblem) }
        problems.append(contentsOf: trackProblems)
        var result: [StagingValidation.Track] = []
        for reader in tracks {
            let infoTrack = info?.tracks.first { $0.description.trackID == reader.header.trackID }
            var track = try validateTrack(reader, infoTrack: infoTrack, verifyPayloads: verifyPayloads, onKept: onKept)
            if let info, info.closedCleanly, let infoTrack, UInt64(track.keptSamples) != infoTrack.sampleCount {
                problems.append("track \(track.trackID): \(track.keptSamples) intact samples, but \(infoTrack.sampleCount) were recorded")
            }
            if track.descriptions.isEmpty {
                problems.append("track \(track.trackID): no readable sample description; track dropped")
                continue
            }
            track.presentationEnd = infoTrack?.presentationEnd
            result.append(track)
        }
        if let info, info.closedCleanly, UInt64(mdatSize) < info.mdatSize {
            problems.append("\(paths.mdat): \(mdatSize) bytes, but \(info.mdatSize) were recorded")
        }
        return StagingValidation(tracks: result, problems: problems, closedCleanly: info?.closedCleanly ?? false)
    }

    private func validateTrack(_ reader: StagingTrackReader, infoTrack: StagingInfo.Track?, verifyPayloads: Bool,
                               onKept: ((UInt32, StagingRecord) throws -> Void)?) throws -> StagingValidation.Track {
        var fileDescriptions: [SampleDescription] = []
        var track = StagingValidation.Track(trackID: reader.header.trackID, timescale: reader.header.timescale, descriptions: [])
        var pendingIndexChecks: [(index: Int, sdi: UInt16)] = []
        var payloads = verifyPayloads ? WindowedReader(file: mdat, size: mdatSize) : nil
        // Summed in plain locals and stored in `track` once: this closure runs per record,
        // and optionals in a struct held by a closure cost as much as the checks themselves.
        var lastDTS = Int64.min
        var kept = 0
        var firstDTS: Int64 = 0
        var minPTS = Int64.max
        var maxPTS = Int64.min
        var payloadEnd: UInt64 = 0
        let mdatEnd = UInt64(mdatSize)

        func drop(_ index: Int, _ reason: String) {
            track.droppedIndexes.append(index)
            track.droppedSamples[reason, default: 0] += 1
        }

        try reader.scan { unit in
            switch unit {
            case let .description(_, sdi, description):
                if Int(sdi) == fileDescriptions.count + 1 { fileDescriptions.append(description) }
            case let .damaged(_, reason):
                track.damagedUnits[reason, default: 0] += 1
            case let .sample(index, record):
                if record.end > mdatEnd { return drop(index, "points past the end of .mdat") }
                if record.size == 0 { return drop(index, "empty sample") }
                if record.dts < lastDTS { return drop(index, "timestamp goes backwards") }
                if record.sampleDescriptionIndex == 0 { return drop(index, "unknown sample description") }
                if verifyPayloads, try !payloads!.checksumMatches(record) {
                    return drop(index, "payload checksum mismatch")
                }
                if Int(record.sampleDescriptionIndex) > fileDescriptions.count {
                    pendingIndexChecks.append((index, record.sampleDescriptionIndex))
                }
                if kept == 0 { firstDTS = record.dts }
                lastDTS = record.dts
                kept += 1
                minPTS = min(minPTS, record.pts)
                maxPTS = max(maxPTS, record.pts)
                payloadEnd = max(payloadEnd, record.end)
                try onKept?(track.trackID, record)
            }
        }
        if kept > 0 {
            track.keptSamples = kept
            track.firstDTS = firstDTS
            track.lastDTS = lastDTS
            track.minPTS = minPTS
            track.maxPTS = maxPTS
            track.payloadEnd = payloadEnd
        }
        // .info may know descriptions whose units in the track file were damaged.
        let infoDescriptions = infoTrack?.description.sampleDescriptions ?? []
        track.descriptions = infoDescriptions.count > fileDescriptions.count ? infoDescriptions : fileDescriptions
        for check in pendingIndexChecks where Int(check.sdi) > track.descriptions.count {
            track.keptSamplesSeenInOrder = false
            drop(check.index, "unknown sample description")
            track.keptSamples -= 1
        }
        track.droppedIndexes.sort()
        track.tornTailBytes = reader.tornTailBytes
        return track
    }
}

extension StagingSet {
    /// Calls `body` with each sample record of a track that `validation` kept, in decode
    /// order. Reads the track file again (memory stays flat); the bytes on disk decide, so
    /// every pass over the same set sees the same samples. Where validation found no damaged
    /// unit in the track, the record checksums are not computed again (the set is locked).
    public func forEachKeptSample(of validation: StagingValidation.Track,
                                  _ body: (StagingRecord) throws -> Void) throws {
        guard let reader = tracks.first(where: { $0.header.trackID == validation.trackID }) else { return }
        var nextDropped = 0
        let dropped = validation.droppedIndexes
        try reader.scan(verifyingRecords: validation.damagedCount > 0 || validation.tornTailBytes > 0) { unit in
            guard case let .sample(index, record) = unit else { return }
            while nextDropped < dropped.count && dropped[nextDropped] < index { nextDropped += 1 }
            if nextDropped < dropped.count && dropped[nextDropped] == index { return }
            try body(record)
        }
    }

    /// Removes the staging files (after the MP4 is durable): .mdat first, then the track
    /// files, then .info. A removal interrupted part-way leaves no .mdat beside a complete
    /// MP4, which a rerun recognizes as leftovers to delete; removing a track file first would
    /// leave what looks like a damaged set, and recovering it would replace the complete MP4
    /// with the tracks that were left.
    public func removeFiles() throws(StagingError) {
        do {
            try FileSystem.remove(paths.mdat)
            for id in paths.existingTrackIDs() { try FileSystem.remove(paths.track(id)) }
            try FileSystem.remove(paths.info + ".tmp")
            try FileSystem.remove(paths.info)
            // The removals themselves survive a power cut only once the directory is synced.
            try FileSystem.syncDirectory(paths.directory)
        } catch {
            throw .system(error)
        }
    }
}
