import Foundation
import MediaCore
import MP4Finalizer
import Recorder
import StagingWriter
import SyntheticMedia

// Benchmarks (build with -c release):
//   benchmarks staging-write [--samples N]           time StagingWriter on N small samples
//   benchmarks finalize [--samples N,M,...]          time mp4writer (a child process) on
//                                                    synthetic sets; wall, samples/s, peak memory
//   benchmarks faststart [--sizes 1,4] [--runs 3] [--tools DIR] [--inplace-only]  mp4writer strategies vs
//                                                    qt-faststart, ffmpeg +faststart and cp on 8 Mbps H.264+AAC
//                                                    sets; in place vs the crash-safe floor (finalizefloor)
//   benchmarks rtsp [--mb 1000] [--runs 3] [--clip F] ffmpeg pushes the same media over RTSP into the
//                                                    recorder and into ffmpeg -rtsp_flags listen -c copy
//   benchmarks rtmp [--mb 1000] [--runs 3] [--clip F] ffmpeg pushes 8 Mbps H.264+AAC as fast as it
//                                                    goes into the recorder and into nginx-rtmp,
//                                                    both recording; MB/s and server CPU s per GB
//   benchmarks publishers [--streams 50] [--seconds 60] [--kbps 1000] [--clip F] [--tools DIR]
//                                                    that many ffmpeg -re publishers at once into the
//                                                    recorder (mp4) and into nginx-rtmp (record all):
//                                                    CPU s per stream-minute, peak memory, completeness
//   benchmarks catalog [--count 100000] [--runs 5]   listRecordings over N recordings, catalog
//                                                    reopen, retention check cost
//   benchmarks export [--mbps 4] [--runs 3] [--cold] GET /export of an hour from 60 one-minute
//                                                    chunks: first byte, MB/s next to cat
// Figures and the commands that made them go in docs/benchmarks.md.

func argument(_ name: String, default value: String) -> String {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: "--\(name)"), i + 1 < args.count { return args[i + 1] }
    return value
}

let scratch = argument("dir", default: NSTemporaryDirectory() + "sr-bench")
/// The folder of this executable: the recorder and mp4writer of the same build are beside it.
let benchmarksFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path

/// The scratch folder, the tools to run and `--clip` (a clip to reuse), for the benchmarks
/// that start the recorder.
func recorderBenchmarkPlace(tools: String) -> BenchmarkPlace {
    BenchmarkPlace(directory: scratch, tools: tools,
                   clipPath: CommandLine.arguments.contains("--clip") ? argument("clip", default: "") : nil)
}
try? FileManager.default.removeItem(atPath: scratch)
try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: scratch) }

func makeSet(_ output: String, samples: Int, size: Int) throws -> Double {
    let source = SyntheticSource(sampleCount: samples, averageSize: size)
    let payload = source.payload(1)
    let start = Date()
    var options = StagingWriter.Options()
    options.syncInterval = nil  // measure the writer, not the disk's fdatasync latency
    if CommandLine.arguments.contains("--no-flush") { options.flushInterval = 1e9 }
    let writer = try StagingWriter(output: output, options: options)
    try writer.addTrack(SyntheticSource.trackDescription)
    for i in 0..<samples {
        try writer.append(MediaFrame(trackID: 1, dts: Int64(i) * SyntheticSource.frameDuration,
                                     pts: Int64(i) * SyntheticSource.frameDuration,
                                     isKeyframe: i % 30 == 0, payload: payload))
    }
    try writer.close()
    return Date().timeIntervalSince(start)
}

let command = CommandLine.arguments.dropFirst().first ?? "help"
switch command {
case "staging-write":
    let n = Int(argument("samples", default: "1000000"))!
    var times: [Double] = []
    for run in 0..<3 {
        let output = "\(scratch)/w\(run).mp4"
        times.append(try makeSet(output, samples: n, size: 100))
        for f in FileManager.default.enumerator(atPath: scratch)!.compactMap({ $0 as? String }) {
            try? FileManager.default.removeItem(atPath: "\(scratch)/\(f)")
        }
    }
    let median = times.sorted()[1]
    print(String(format: "staging-write: %d samples of 100 bytes, median of 3: %.3f s (%.2f M samples/s), runs: %@",
                 n, median, Double(n) / median / 1e6, times.map { String(format: "%.3f", $0) }.joined(separator: " ")))
case "finalize":
    let mp4writer = argument("tools", default: URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path) + "/mp4writer"
    let counts = argument("samples", default: "1000000,10000000").split(separator: ",").compactMap { Int($0) }
    var peaks: [Int] = []
    print("samples      wall(s)  cpu(s)  samples/s   moov(s)  moov samples/s  peak MiB   file MiB")
    for n in counts {
        let output = "\(scratch)/f\(n).mp4"
        _ = try makeSet(output, samples: n, size: 16)
        let reportPath = "\(scratch)/report.json"
        let m = try ChildProcess.run(mp4writer, ["-path=\(output)", "--quiet", "--json"], stdoutPath: reportPath)
        guard m.status == 0 else { print("mp4writer failed with status \(m.status)"); exit(1) }
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: reportPath))) as? [String: Any]
        let moov = report?["moovSeconds"] as? Double ?? .nan
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        peaks.append(m.peakMemoryBytes)
        print(String(format: "%-12d %7.3f %7.3f %10.0f %9.3f %15.0f %9.1f %10.1f", n, m.wallSeconds, m.cpuSeconds,
                     Double(n) / m.wallSeconds, moov, Double(n) / moov, Double(m.peakMemoryBytes) / 1048576, Double(size) / 1048576))
        try? FileManager.default.removeItem(atPath: output)
    }
    if peaks.count > 1 {
        print(String(format: "peak memory spread: %.1f MiB", Double(peaks.max()! - peaks.min()!) / 1048576))
    }
case "faststart":
    // --tools names the folder of the mp4writer to time (a static build starts faster).
    let tools = argument("tools", default: URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path)
    let sizes = argument("sizes", default: "1,4").split(separator: ",").compactMap { Double($0) }
    // finalizefloor is C: built beside the benchmarks, whatever folder --tools names.
    let floorTool = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/finalizefloor"
    try FaststartBenchmark(directory: scratch, sizesGiB: sizes, runs: Int(argument("runs", default: "3"))!, tools: tools,
                           floorTool: floorTool, peers: !CommandLine.arguments.contains("--inplace-only")).run()
case "rtmp":
    try RTMPBenchmark(place: recorderBenchmarkPlace(tools: benchmarksFolder), targetBytes: Double(argument("mb", default: "1000"))! * 1e6,
                      runs: Int(argument("runs", default: "3"))!).run()
case "rtsp":
    try RTSPBenchmark(place: recorderBenchmarkPlace(tools: benchmarksFolder), targetBytes: Double(argument("mb", default: "1000"))! * 1e6,
                      runs: Int(argument("runs", default: "3"))!).run()
case "publishers":
    // --tools names the folder of the recorder and mp4writer to run (the static build the README installs).
    // 640x360 at 1 Mbps + AAC 64 kb/s: a camera-like stream; 50 of them are 53 Mbps in all.
    let kbps = Int(argument("kbps", default: "1000"))!
    let media = BenchmarkClip(width: 640, height: 360, videoKbps: kbps, audioKbps: 64, seconds: Int(argument("seconds", default: "60"))!)
    try PublishersBenchmark(place: recorderBenchmarkPlace(tools: argument("tools", default: benchmarksFolder)),
                            streams: Int(argument("streams", default: "50"))!, clip: media).run()
case "catalog":
    try CatalogBenchmark(directory: scratch, count: Int(argument("count", default: "100000"))!,
                         runs: Int(argument("runs", default: "5"))!).run()
case "export":
    try ExportBenchmark(directory: scratch, megabits: Double(argument("mbps", default: "4"))!, runs: Int(argument("runs", default: "3"))!,
                        cold: CommandLine.arguments.contains("--cold")).run()
default:
    print("usage: benchmarks export [--mbps 4] [--runs 3] [--cold] | catalog [--count 100000] [--runs 5] | staging-write [--samples N] | finalize [--samples N,M] | faststart [--sizes 1,4] [--runs 3] [--tools DIR] [--inplace-only] | rtmp [--mb 1000] [--runs 3] [--clip FILE] [--dir DIR] | rtsp [--mb 1000] [--runs 3] [--clip FILE] [--dir DIR] | publishers [--streams 50] [--seconds 60] [--kbps 1000] [--clip FILE] [--tools DIR] [--dir DIR]")
}
