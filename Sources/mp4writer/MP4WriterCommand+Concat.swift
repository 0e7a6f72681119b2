import MediaCore
import MP4Export

/// `mp4writer --concat -o OUT CHUNK...`: plan the join with MP4Export, write it, report.
extension MP4WriterCommand {
    func runConcat(inputs: [String], output: String) -> ExitCode {
        do {
            let sources = try ChunkConcatenation.consecutiveSources(inputs)
            let origin = sources[0].startTime
            let movie = try ChunkConcatenation.export(sources, start: concatFrom.map { origin + $0 }, end: concatTo.map { origin + $0 })
            // Written aside and renamed: a reader never sees half an export under OUT.
            let partial = output + ".partial"
            do {
                try movie.file.write(to: partial)
                try FileSystem.rename(partial, to: output)
            } catch {
                try? FileSystem.remove(partial)
                throw error
            }
            let from = movie.startTime - origin
            let to = movie.endTime - origin
            if json {
                print(JSONWriter.text(of: ["output": .string(output), "status": "success", "bytes": .int(Int(movie.file.size)),
                                           "chunks": .int(movie.sources.count), "from": .double(from), "to": .double(to),
                                           "preRoll": .double(movie.preRoll)]))
            } else {
                print("\(output): \(movie.file.size) bytes from \(movie.sources.count) chunk(s), \(fixedDecimal(from, digits: 3)) s "
                      + "to \(fixedDecimal(to, digits: 3)) s (video from \(fixedDecimal(from - movie.preRoll, digits: 3)) s: the keyframe before)")
            }
            return .success
        } catch {
            if json { print(JSONWriter.text(of: ["output": .string(output), "status": "failure", "error": .string("\(error)")])) }
            writeToStandardError("mp4writer: \(error)\n")
            return .failure
        }
    }
}
