import Foundation
import MediaCore
import MP4Finalizer

/// The parsed command line of mp4writer.
struct MP4WriterCommand {
    static let version = "mp4writer 0.1.0 (staging format 1)"
    static let usageLine = "usage: mp4writer -path=/path/to/file.mp4 [--recovery] [--json] [--keep-staging] [--force] [--strategy=S] | mp4writer --batch DIR [--json] [--dry-run] | mp4writer --concat -o OUT.mp4 [--from S] [--to S] CHUNK.mp4...  (mp4writer --help for more)"

    static let help = """
    mp4writer: finalize a recorder staging set into a fast-start MP4 (ftyp, moov, mdat).

    usage:
      mp4writer -path=/path/to/file.mp4 [options]
      mp4writer --path /path/to/file.mp4 [options]
      mp4writer --batch DIR [--json] [--dry-run] [--strategy=S]
      mp4writer --concat -o OUT.mp4 [--from S] [--to S] [--json] CHUNK.mp4 CHUNK.mp4...

    The path is the recording's pathToFile with .mp4: the set is FILE.mp4.info, FILE.mp4.mdat
    and FILE.mp4.trackN beside it. The MP4 is written as FILE.mp4.partial, made durable,
    renamed to FILE.mp4, and only then are the staging files removed. Running it again is
    always safe.

    --batch DIR finds every staging set under DIR (recursively), finalizes the clean ones,
    recovers the damaged ones (as --recovery), skips the ones a live recorder still holds,
    removes what interrupted finalizes left, and prints one line per set. A second run over
    the same tree has nothing to do. --dry-run only reports what it would do.

    --concat joins finished MP4 chunks of one recording, in the order given, into one
    fast-start MP4 by stream copy (as the recorder's GET /export does, docs/export.md): each
    chunk follows the previous one; --from and --to cut it (seconds from the start of the
    first chunk: video from the keyframe at or before --from, an edit list shows exactly
    the range). OUT is written as OUT.partial and renamed.

    options:
      --recovery        accept a damaged set (crash, power cut): keep every intact sample,
                        drop the rest, and report both
      --json            print a JSON summary on stdout instead of text
      --keep-staging    keep the staging files after the MP4 is written
      --force           finalize even if another process holds the set's lock
      --strategy=S      how the payload gets into the MP4: auto (default: inplace where
                        the filesystem can, else copy), inplace (.mdat becomes the MP4:
                        the header is inserted in front, under a journal), copy (kernel
                        copy_file_range), readwrite
      --quiet           no progress bar
      --batch DIR       repair every staging set under DIR (see above)
      --dry-run         with --batch: change nothing, report what would be done
      --help, --version

    exit codes:
      0  finalized          3  nothing to do (no staging set)
      1  failed             4  recovered with losses (--recovery)
      2  usage error        5  nothing recoverable (--recovery)
                            6  the set is locked by a live recorder
      with --batch: 0 every set finalized (or live, skipped), 4 some recovered with
      losses, 1 some failed or held nothing recoverable (1 wins over 4)
    """

    var path: String?
    /// Folder to repair as a whole (`--batch`).
    var batchDirectory: String?
    var dryRun = false
    var options = FinalizeOptions()
    var json = false
    var quiet = false
    var showHelp = false
    var showVersion = false
    /// `--concat`: the chunks to join, the output, and the cut (seconds).
    var concatInputs: [String]?
    var concatOutput: String?
    var concatFrom: Double?
    var concatTo: Double?

    struct UsageError: Error, CustomStringConvertible {
        let description: String
    }

    init(parsing arguments: [String]) throws(UsageError) {
        var i = 0
        func value(_ name: String, _ argument: String) throws(UsageError) -> String {
            if let eq = argument.firstIndex(of: "=") { return String(argument[argument.index(after: eq)...]) }
            i += 1
            guard i < arguments.count else { throw UsageError(description: "\(name) needs a value") }
            return arguments[i]
        }
        while i < arguments.count {
            let argument = arguments[i]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            switch name {
            case "-path", "--path": path = try value(name, argument)
            case "--batch", "-batch": batchDirectory = try value(name, argument)
            case "--dry-run": dryRun = true
            case "--recovery", "-recovery": options.recovery = true
            case "--json": json = true
            case "--keep-staging": options.keepStaging = true
            case "--force": options.force = true
            case "--quiet", "-q": quiet = true
            case "--strategy":
                let v = try value(name, argument)
                guard let strategy = CopyStrategy(rawValue: v) else {
                    throw UsageError(description: "unknown strategy '\(v)' (\(CopyStrategy.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                options.strategy = strategy
            case "--crash-after":
                // Hidden, for crash tests: SIGKILL this process right after a step.
                let v = try value(name, argument)
                guard let step = FinalizeStep(rawValue: v) else {
                    throw UsageError(description: "unknown step '\(v)' (\(FinalizeStep.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                options.afterStep = { reached in if reached == step { kill(getpid(), SIGKILL) } }
            case "--help", "-h", "-help": showHelp = true
            case "--version", "-version": showVersion = true
            case "--concat": concatInputs = []
            case "-o", "--output": concatOutput = try value(name, argument)
            case "--from", "--to":
                let v = try value(name, argument)
                guard let seconds = Double(v), seconds.isFinite, seconds >= 0 else {
                    throw UsageError(description: "\(name) needs seconds (a number >= 0), got '\(v)'")
                }
                if name == "--from" { concatFrom = seconds } else { concatTo = seconds }
            default:
                if concatInputs != nil && !argument.hasPrefix("-") {
                    concatInputs!.append(argument)
                } else {
                    throw UsageError(description: "unknown argument '\(argument)'")
                }
            }
            i += 1
        }
        if let concatInputs {
            if concatInputs.isEmpty { throw UsageError(description: "--concat needs the chunk files to join") }
            if (concatOutput ?? "").isEmpty { throw UsageError(description: "--concat needs -o OUT.mp4") }
            if path != nil || batchDirectory != nil { throw UsageError(description: "--concat cannot be combined with -path or --batch") }
            return
        }
        if concatOutput != nil || concatFrom != nil || concatTo != nil {
            throw UsageError(description: "-o, --from and --to work with --concat only")
        }
        if let batchDirectory {
            if batchDirectory.isEmpty { throw UsageError(description: "--batch needs a folder") }
            if path != nil { throw UsageError(description: "give either -path or --batch, not both") }
            // A batch must neither break into a live recording nor leave work behind.
            if options.force { throw UsageError(description: "--force cannot be used with --batch (live recordings are skipped)") }
            if options.keepStaging { throw UsageError(description: "--keep-staging cannot be used with --batch") }
            return
        }
        if dryRun { throw UsageError(description: "--dry-run works with --batch only") }
        if !showHelp && !showVersion && (path ?? "").isEmpty {
            throw UsageError(description: "no path given")
        }
    }

    func run() -> ExitCode {
        if showHelp {
            print(Self.help)
            return .success
        }
        if showVersion {
            print(Self.version)
            return .success
        }
        if let batchDirectory { return runBatch(directory: batchDirectory) }
        if let concatInputs { return runConcat(inputs: concatInputs, output: concatOutput!) }
        var options = self.options
        let progress = ProgressBar(enabled: !quiet && !json && isatty(2) == 1)
        options.progress = { progress.update($0) }
        let output = path!.hasSuffix(".mp4") || FileManager.default.fileExists(atPath: path! + ".mdat") ? path! : path! + ".mp4"
        do {
            let report = try Finalizer(options: options).finalize(output: output)
            progress.finish()
            render(report)
            return report.recoveredWithLosses ? .recoveredWithLosses : .success
        } catch {
            progress.finish()
            let code: ExitCode
            switch error {
            case .nothingToDo: code = .nothingToDo
            case .locked: code = .locked
            case .nothingRecoverable: code = .nothingRecoverable
            default: code = .failure
            }
            if json {
                let object: [String: Any] = ["output": output, "status": "\(code)", "error": error.description]
                if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                    print(String(decoding: data, as: UTF8.self))
                }
            }
            FileHandle.standardError.write(Data("mp4writer: \(error.description)\n".utf8))
            return code
        }
    }

    private func render(_ report: FinalizeReport) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            if let data = try? encoder.encode(report) { print(String(decoding: data, as: UTF8.self)) }
            return
        }
        print("\(report.output): \(report.fileSize) bytes, \(report.tracks.count) track(s), strategy \(report.strategy), in \(fixedDecimal(report.elapsedSeconds, digits: 3)) s")
        for t in report.tracks {
            var line = "  track \(t.trackID) \(t.codec): \(t.samples) samples, \(fixedDecimal(t.durationSeconds, digits: 3)) s"
            if t.sampleDescriptions > 1 { line += ", \(t.sampleDescriptions) sample descriptions" }
            let dropped = t.dropped.values.reduce(0, +)
            var losses: [String] = []
            if dropped > 0 { losses.append("dropped \(dropped) (" + t.dropped.map { "\($0.value) \($0.key)" }.sorted().joined(separator: ", ") + ")") }
            if t.unreadableRecords > 0 { losses.append("\(t.unreadableRecords) unreadable record(s)") }
            if !losses.isEmpty { line += "; " + losses.joined(separator: ", ") }
            print(line)
        }
        for problem in report.problems { print("  damage: \(problem)") }
        if report.usedCO64 { print("  64-bit chunk offsets (co64)") }
        if report.recoveredWithLosses { print("  recovered with losses") }
    }
}
