import Foundation
import MediaCore
import MP4Finalizer

/// `mp4writer --batch DIR`: run `BatchFinalizer`, print a table (or JSON), map to an exit code.
extension MP4WriterCommand {
    func runBatch(directory: String) -> ExitCode {
        let batch = BatchFinalizer(options: options, dryRun: dryRun)
        let report: BatchReport
        do {
            report = try batch.run(directory: directory)
        } catch {
            if json { printJSON(["directory": directory, "status": "failure", "error": error.description]) }
            FileHandle.standardError.write(Data("mp4writer: \(error.description)\n".utf8))
            return .failure
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            if let data = try? encoder.encode(report) { print(String(decoding: data, as: UTF8.self)) }
        } else {
            print(Self.table(report))
        }
        return Self.exitCode(report)
    }

    /// 1 when any set needs a person, else 4 when any lost samples, else 0.
    static func exitCode(_ report: BatchReport) -> ExitCode {
        if report.entries.contains(where: \.outcome.needsAttention) { return .failure }
        if report.entries.contains(where: \.outcome.lostSamples) { return .recoveredWithLosses }
        return .success
    }

    /// One line per set (paths relative to the folder), the damage under it, and a summary.
    static func table(_ report: BatchReport) -> String {
        var root = report.directory
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        func relative(_ path: String) -> String {
            path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
        }
        let rows = report.entries.map { entry -> (String, String, String) in
            let tracks = entry.tracks.map { t -> String in
                var losses: [String] = []
                let dropped = t.dropped.values.reduce(0, +)
                if dropped > 0 { losses.append("\(dropped) dropped") }
                if t.unreadableRecords > 0 { losses.append("\(t.unreadableRecords) unreadable") }
                return "\(t.trackID):\(t.codec) \(t.kept)" + (losses.isEmpty ? "" : " (" + losses.joined(separator: ", ") + ")")
            }
            return (relative(entry.output), label(entry.outcome), tracks.isEmpty ? "-" : tracks.joined(separator: "  "))
        }
        let setWidth = max(3, rows.map(\.0.count).max() ?? 0)
        let resultWidth = max(6, rows.map(\.1.count).max() ?? 0)
        func pad(_ s: String, _ width: Int) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }

        var lines: [String] = []
        if report.dryRun { lines.append("dry run: nothing was changed") }
        if report.entries.isEmpty {
            lines.append("no staging sets under \(report.directory)")
        } else {
            lines.append(pad("SET", setWidth) + "  " + pad("RESULT", resultWidth) + "  TRACKS (samples kept)")
            for (entry, row) in zip(report.entries, rows) {
                lines.append(pad(row.0, setWidth) + "  " + pad(row.1, resultWidth) + "  " + row.2)
                lines += entry.messages.map { "    " + $0 }
            }
        }
        let counts = BatchReport.Outcome.allCases.compactMap { outcome -> String? in
            let n = report.count(outcome)
            return n > 0 ? "\(n) \(label(outcome))" : nil
        }
        lines.append("\(report.entries.count) set(s) under \(report.directory) in \(fixedDecimal(report.elapsedSeconds, digits: 2)) s"
                     + (counts.isEmpty ? "" : ": " + counts.joined(separator: "; ")))
        return lines.joined(separator: "\n")
    }

    static func label(_ outcome: BatchReport.Outcome) -> String {
        switch outcome {
        case .finalized: return "finalized"
        case .recoveredWithLosses: return "recovered with losses"
        case .nothingRecoverable: return "nothing recoverable"
        case .liveSkipped: return "live, skipped"
        case .leftoversRemoved: return "leftovers removed"
        case .failed: return "FAILED"
        case .wouldFinalize: return "would finalize"
        case .wouldRecover: return "would recover with losses"
        case .wouldRemoveLeftovers: return "would remove leftovers"
        }
    }

    func printJSON(_ object: [String: Any]) {
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) {
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
