import Foundation
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
                printJSON(["output": output, "status": "success", "bytes": movie.file.size, "chunks": movie.sources.count,
                           "from": from, "to": to, "preRoll": movie.preRoll])
            } else {
                print(String(format: "%@: %lld bytes from %d chunk(s), %.3f s to %.3f s (video from %.3f s: the keyframe before)",
                             output, movie.file.size, movie.sources.count, from, to, from - movie.preRoll))
            }
            return .success
        } catch {
            if json { printJSON(["output": output, "status": "failure", "error": "\(error)"]) }
            FileHandle.standardError.write(Data("mp4writer: \(error)\n".utf8))
            return .failure
        }
    }
}
