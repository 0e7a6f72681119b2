import MediaCore
import StagingWriter
#if canImport(Glibc)
import Glibc
#endif

/// Repairs a whole folder: finds every staging set under it (and the leftovers of interrupted
/// finalizes), finalizes the clean ones, recovers the damaged ones, and leaves alone the sets
/// a live recorder still writes. What an operator runs from cron or at boot after a crash.
///
/// ```
/// DIR/                      found as:
///   cam1/a.mp4.mdat          set cam1/a.mp4 (any of .mdat, .info, .trackN names it)
///   cam1/a.mp4.track1
///   cam1/a.mp4.info
///   cam2/b.mp4.info          set cam2/b.mp4 (leftover of a removal that was interrupted)
///   cam3/c.mp4.journal       set cam3/c.mp4 (an in-place finalize to resume)
///   cam3/c.mp4.partial       set cam3/c.mp4 (a copy finalize that was interrupted)
///   notes.txt, x.mp4         not staging files: never touched
/// ```
///
/// Every set goes through `Finalizer` with `recovery` on, so a rerun is always safe: a set
/// that was finalized is gone, and a second run over the same tree finds nothing to do (only
/// sets that are live, or that hold nothing recoverable, are reported again).
public struct BatchFinalizer: Sendable {
    /// Passed to `Finalizer` for each set; `recovery` is always on (payloads of cleanly closed
    /// sets are not re-read), `force` and `keepStaging` always off (a batch must neither break
    /// into a live recording nor leave work behind).
    public let finalizeOptions: FinalizeOptions
    /// Look and report only: nothing is written or removed.
    public let dryRun: Bool

    public init(options: FinalizeOptions = FinalizeOptions(), dryRun: Bool = false) {
        var options = options
        options.recovery = true
        options.verifyClosedSets = false
        options.force = false
        options.keepStaging = false
        self.finalizeOptions = options
        self.dryRun = dryRun
    }

    /// Finds and processes every set under `directory`, one after the other, in path order.
    public func run(directory: String) throws(FinalizeError) -> BatchReport {
        let started = monotonicSeconds()
        let outputs = try Self.findSets(under: directory)
        let entries = outputs.map { process(output: $0) }
        return BatchReport(directory: directory, dryRun: dryRun, entries: entries,
                           elapsedSeconds: monotonicSeconds() - started)
    }

    /// The final MP4 path of every staging set under `directory` (whole or in part), sorted.
    /// Directories are walked recursively; symbolic links to directories are not followed.
    public static func findSets(under directory: String) throws(FinalizeError) -> [String] {
        var root = directory
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        guard FileSystem.isDirectory(root) else {
            throw .system(SystemError(call: "opendir", path: directory, errno: FileSystem.exists(root) ? ENOTDIR : ENOENT))
        }
        var outputs = Set<String>()
        var pending = [root]
        while let folder = pending.popLast() {
            for name in FileSystem.listDirectory(folder) {
                let path = folder == "/" ? "/" + name : folder + "/" + name
                if FileSystem.isDirectoryNotLink(path) {
                    pending.append(path)
                } else if let setName = setName(ofFile: name) {
                    outputs.insert(folder == "/" ? "/" + setName : folder + "/" + setName)
                }
            }
        }
        return outputs.sorted()
    }

    /// `a.mp4` for `a.mp4.mdat`, `a.mp4.info`, `a.mp4.track2`, and for what a finalize leaves
    /// while it runs (`a.mp4.partial`, `a.mp4.journal`); nil for anything else.
    static func setName(ofFile name: String) -> String? {
        var base: Substring?
        for suffix in Self.fileSuffixes where name.hasSuffix(suffix) {
            base = name.dropLast(suffix.count)
        }
        if base == nil, let dot = name.lastIndex(of: "."), name[dot...].hasPrefix(".track") {
            let digits = name[name.index(dot, offsetBy: 6)...]
            if !digits.isEmpty, digits.allSatisfy(\.isASCII), UInt32(digits) != nil { base = name[..<dot] }
        }
        guard let base, base.count > 4, base.hasSuffix(".mp4") else { return nil }
        return String(base)
    }

    static let fileSuffixes = [".mdat", ".info", ".partial", ".journal"]

    /// Finalizes, recovers or skips one set (or, in a dry run, says which it would do).
    public func process(output: String) -> BatchReport.Entry {
        let paths = StagingPaths(output: output)
        // A recorder holds .mdat's lock from the moment it creates the set until it closes it
        // (a finalizer holds it while it works): such a set is not ours to touch.
        if isLocked(paths.mdat) {
            return entry(output, .liveSkipped, messages: ["\(paths.mdat): locked by a live recorder (or another mp4writer); left alone"])
        }
        if dryRun { return inspect(output: output) }
        do {
            let report = try Finalizer(options: finalizeOptions).finalize(output: output)
            return BatchReport.Entry(
                output: output, outcome: report.recoveredWithLosses ? .recoveredWithLosses : .finalized,
                tracks: report.tracks.map {
                    BatchReport.Track(trackID: $0.trackID, codec: $0.codec, kept: $0.samples,
                                      dropped: $0.dropped, unreadableRecords: $0.unreadableRecords)
                },
                messages: report.problems, fileSize: report.fileSize)
        } catch {
            switch error {
            case .locked:
                return entry(output, .liveSkipped, messages: [error.description])
            case let .nothingRecoverable(_, damage):
                return entry(output, .nothingRecoverable, messages: damage)
            case .nothingToDo:
                // The finalizer removed what an interrupted finalize had left, if anything.
                return withoutSet(output: output, cleaned: true)
            default:
                return entry(output, .failed, messages: [error.description])
            }
        }
    }

    /// A dry run's verdict on one set: what `process` would do, from a read-only look.
    private func inspect(output: String) -> BatchReport.Entry {
        if FinalizeJournal.read(output: output) != nil {
            return entry(output, .wouldFinalize, messages: ["\(FinalizeJournal.path(for: output)): an interrupted in-place finalize, to be resumed"])
        }
        let set: StagingSet
        do {
            set = try StagingSet(output: output)
        } catch {
            guard case .missing = error else { return entry(output, .failed, messages: [error.description]) }
            return withoutSet(output: output, cleaned: false)
        }
        do {
            let validation = try set.validate(verifyPayloads: true)
            let tracks = validation.tracks.filter { $0.keptSamples > 0 }.map {
                BatchReport.Track(trackID: $0.trackID, codec: $0.codec.description, kept: $0.keptSamples,
                                  dropped: $0.droppedSamples,
                                  unreadableRecords: $0.damagedCount + ($0.tornTailBytes > 0 ? 1 : 0))
            }
            if tracks.isEmpty {
                return entry(output, .nothingRecoverable, messages: validation.damageSummary + ["no intact sample"])
            }
            return BatchReport.Entry(output: output, outcome: validation.isClean ? .wouldFinalize : .wouldRecover,
                                     tracks: tracks, messages: validation.damageSummary, fileSize: nil)
        } catch {
            return entry(output, .failed, messages: ["\(error)"])
        }
    }

    /// A name found in the tree, but no set a finalizer can open: leftovers of a finalize that
    /// completed (removed, or to be removed), or files that hold nothing recoverable.
    private func withoutSet(output: String, cleaned: Bool) -> BatchReport.Entry {
        let paths = StagingPaths(output: output)
        let outputExists = FileSystem.exists(output)
        let remaining = Self.stagingFiles(of: paths)
        let partial = paths.temporaryOutput
        if !remaining.isEmpty {
            // What a finalizer removes without a set: the rest of a set whose .mdat is gone
            // beside a complete MP4, and a journal that was never acted on (no readable trailer).
            let strayJournal = remaining == [FinalizeJournal.path(for: output)]
            if !cleaned && (outputExists && !FileSystem.exists(paths.mdat) || strayJournal) {
                return entry(output, .wouldRemoveLeftovers,
                             messages: [(outputExists ? "\(output) is complete; " : "") + "would remove \(remaining.joined(separator: ", "))"])
            }
            let reason = FileSystem.exists(paths.mdat)
                ? "\(paths.mdat): no readable track file beside it, so no sample can be placed"
                : "\(paths.mdat): missing, so the recorded samples are gone"
            return entry(output, .nothingRecoverable, messages: [reason, "left in place: " + remaining.joined(separator: ", ")])
        }
        if FileSystem.exists(partial) {
            return entry(output, .failed, messages: [
                "\(partial): the incomplete output of an interrupted finalize, with no staging set left to finish it from; check and remove it by hand",
            ])
        }
        let what = outputExists ? "\(output) is complete; files left by an interrupted finalize"
                                : "no staging set and no MP4; stray files of an interrupted finalize"
        return entry(output, cleaned ? .leftoversRemoved : .wouldRemoveLeftovers,
                     messages: [what + (cleaned ? " were removed" : " would be removed")])
    }

    /// The files of a set that exist, including a finalize's journal (not the
    /// output or its `.partial`): empty once a set is finalized and removed.
    public static func stagingFiles(of paths: StagingPaths) -> [String] {
        var files = [paths.mdat, paths.info, paths.info + ".tmp",
                     FinalizeJournal.path(for: paths.output)]
        files += paths.existingTrackIDs().map { paths.track($0) }
        return files.filter(FileSystem.exists)
    }

    /// True when another open file description holds the set's lock (a live recorder).
    private func isLocked(_ mdat: String) -> Bool {
        guard let file = try? FileDescriptor.open(mdat, .readOnly) else { return false }
        defer { try? file.close() }  // closing releases the probe's own lock at once
        return (try? file.tryLockExclusive()) == false
    }

    private func entry(_ output: String, _ outcome: BatchReport.Outcome, messages: [String]) -> BatchReport.Entry {
        BatchReport.Entry(output: output, outcome: outcome, tracks: [], messages: messages, fileSize: nil)
    }
}
