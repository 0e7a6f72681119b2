import Foundation
import MediaCore
import Recorder
import StagingWriter

// recorder: the live-stream recorder. This build has the offline tools; the server comes
// with the server issue.
//   recorder synth --output FILE.mp4 --samples N [--size BYTES] [--pace-us N]
//       writes a synthetic staging set (tests, crash trials, benchmarks) and reports timing.
//   recorder stage --input CLIP.mp4 --output FILE.mp4 [--loop N]
//       writes an MP4 file's samples as the staging set of FILE.mp4 (for mp4writer).

func fail(_ message: String, code: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("recorder: \(message)\n".utf8))
    exit(code)
}

var args = Array(CommandLine.arguments.dropFirst())
guard let sub = args.first else { fail("usage: recorder synth --output FILE.mp4 --samples N") }
args.removeFirst()
var flags: [String: String] = [:]
var i = 0
while i < args.count {
    let a = args[i]
    guard a.hasPrefix("--") else { fail("unexpected argument '\(a)'") }
    if let eq = a.firstIndex(of: "=") {
        flags[String(a[a.index(a.startIndex, offsetBy: 2)..<eq])] = String(a[a.index(after: eq)...])
    } else if i + 1 < args.count {
        flags[String(a.dropFirst(2))] = args[i + 1]
        i += 1
    } else {
        fail("\(a) needs a value")
    }
    i += 1
}

switch sub {
case "synth":
    guard let output = flags["output"], let n = Int(flags["samples"] ?? "") else {
        fail("usage: recorder synth --output FILE.mp4 --samples N [--size BYTES] [--pace-us N]")
    }
    let source = SyntheticSource(sampleCount: n, averageSize: Int(flags["size"] ?? "") ?? 200)
    let pace = UInt32(flags["pace-us"] ?? "") ?? 0
    do {
        let start = Date()
        let writer = try StagingWriter(output: output)
        try writer.addTrack(SyntheticSource.trackDescription)
        for index in 0..<n {
            try writer.append(source.frame(index))
            if pace > 0 { usleep(pace) }
        }
        try writer.close()
        let seconds = Date().timeIntervalSince(start)
        print("wrote \(n) samples (\(writer.mdatByteCount) payload bytes) in \(String(format: "%.3f", seconds)) s: \(String(format: "%.0f", Double(n) / seconds)) samples/s")
    } catch {
        fail("\(error)", code: 1)
    }
case "stage":
    guard let input = flags["input"], let output = flags["output"] else {
        fail("usage: recorder stage --input CLIP.mp4 --output FILE.mp4 [--loop N]")
    }
    do {
        let source = try MP4FileSource(path: input)
        let n = try source.writeStagingSet(output: output, loops: Int(flags["loop"] ?? "") ?? 1)
        print("staged \(n) samples of \(source.tracks.count) track(s) from \(input) as \(output).{info,mdat,track*}")
    } catch {
        fail("\(error)", code: 1)
    }
default:
    fail("unknown command '\(sub)'")
}
