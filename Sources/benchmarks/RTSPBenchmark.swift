import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MediaCore
import Recorder

/// RTSP ingest against ffmpeg recording the same stream with `-c copy`: ffmpeg publishes the
/// same media over RTSP (ANNOUNCE/RECORD, RTP interleaved on TCP, no -re: as fast as it goes)
/// into each receiver in turn, within one run: the recorder (`type=mp4`, its usual output:
/// staging set, then mp4writer) and ffmpeg as the RTSP server (`-rtsp_flags listen`) writing
/// an MP4 with -c copy. Per receiver: its CPU seconds per GB of media (the recorder's from
/// /proc, mp4writer included; the receiving ffmpeg's from wait4) and the throughput.
///
/// Every child has a hard timeout: a publisher or receiver still running `childTimeout` after
/// it started is killed and the run fails with a message (a hung RTSP session never hangs the
/// benchmark).
struct RTSPBenchmark {
    /// Its scratch folder, the recorder and mp4writer it runs, a clip to reuse.
    let place: BenchmarkPlace
    let targetBytes: Double
    let runs: Int

    static let childTimeout = 300.0

    func run() throws {
        for tool in [RTMPBenchmark.ffmpeg, place.tools + "/recorder", place.tools + "/mp4writer"] where !FileManager.default.fileExists(atPath: tool) {
            throw BenchError("\(tool) is missing (apt-get install ffmpeg; swift build -c release)")
        }
        let clip = try BenchmarkClip.eightMbps.make(at: place.clipPath ?? place.directory + "/clip.mp4")
        let clipMedia = try BenchmarkClip.mediaBytes(of: clip, scratch: place.directory)
        let loops = Int((targetBytes / Double(clipMedia)).rounded(.up))
        let media = Double(clipMedia * loops)
        print(String(format: "clip %@: %.1f MB of media; %d loops, %.1f MB per run, %d runs", clip, Double(clipMedia) / 1e6, loops, media / 1e6, runs))
        let recorder = try RecorderProcess(tools: place.tools, directory: place.directory + "/recorder")
        defer { recorder.stop() }
        guard recorder.rtspPort > 0 else { throw BenchError("no RTSP port in the recorder's log") }

        var rows = ["recorder, RTSP push, type=mp4", "ffmpeg -rtsp_flags listen -c copy (mp4)"].map { RTMPBenchmark.Row(name: $0) }
        for run in 0..<runs {
            // The recorder: a record config, the push, the MP4 finalized.
            let name = "r\(run)"
            let path = try recorder.record(name, type: "mp4")
            Glibc.sync()
            let before = try recorder.process.cpuSeconds()
            var start = Date()
            let push = try Self.publish(clip, loops, "rtsp://127.0.0.1:\(recorder.rtspPort)/live/\(name)", log: place.directory + "/push.log")
            try Self.wait(push, "ffmpeg publishing to the recorder", start: start)
            while !recorder.logContains("recordChunkFinalized", file: path) {
                guard Date().timeIntervalSince(start) < Self.childTimeout else { throw BenchError("\(path) not finalized within \(Self.childTimeout) s") }
                usleep(5_000)
            }
            var wall = Date().timeIntervalSince(start)
            rows[0].cpuPerGB.append((try recorder.process.cpuSeconds() - before) / (media / 1e9))
            rows[0].throughput.append(media / wall / 1e6)
            rows[0].recordedBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            try? FileManager.default.removeItem(atPath: path)

            // ffmpeg as the RTSP server, recording what it is sent with -c copy.
            Glibc.sync()
            let port = try FreePort.pick()
            let output = place.directory + "/ffmpeg_\(run).mp4"
            start = Date()
            let receiver = try SpawnedProcess(RTMPBenchmark.ffmpeg, ["-nostdin", "-v", "error", "-rtsp_flags", "listen", "-timeout", "60",
                                                                     "-i", "rtsp://127.0.0.1:\(port)/live/f\(run)", "-c", "copy", "-y", output],
                                              log: place.directory + "/receiver.log")
            // ffmpeg's listener says nothing when ready, and takes the first connection as its
            // client: wait for the port to listen (/proc/net/tcp), without connecting.
            try receiver.waitUntilReady("ffmpeg's RTSP listener", log: {
                (try? String(contentsOfFile: place.directory + "/receiver.log", encoding: .utf8)) ?? ""
            }) {
                Self.isListening(port) ? () : nil
            }
            let pusher = try Self.publish(clip, loops, "rtsp://127.0.0.1:\(port)/live/f\(run)", log: place.directory + "/push.log")
            try Self.wait(pusher, "ffmpeg publishing to ffmpeg", start: start)
            var usage = rusage()
            var status: Int32 = 0
            while true {
                let reaped = wait4(receiver.pid, &status, WNOHANG, &usage)
                if reaped == receiver.pid { break }
                guard Date().timeIntervalSince(start) < Self.childTimeout else {
                    receiver.stop(signal: SIGKILL)
                    throw BenchError("the receiving ffmpeg did not end within \(Self.childTimeout) s")
                }
                usleep(5_000)
            }
            wall = Date().timeIntervalSince(start)
            let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
            rows[1].cpuPerGB.append(cpu / (media / 1e9))
            rows[1].throughput.append(media / wall / 1e6)
            rows[1].recordedBytes = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
            try? FileManager.default.removeItem(atPath: output)
            print(String(format: "run %d: recorder %.2f CPU s/GB %.1f MB/s, ffmpeg %.2f CPU s/GB %.1f MB/s", run,
                         rows[0].cpuPerGB.last!, rows[0].throughput.last!, rows[1].cpuPerGB.last!, rows[1].throughput.last!))
        }
        print("\nmedians of \(runs) runs:")
        for row in rows {
            print(String(format: "%@: %.2f CPU s/GB, %.1f MB/s, last file %.1f MB (%.2fx ffmpeg's CPU/GB)", row.name,
                         RTMPBenchmark.Row.median(row.cpuPerGB), RTMPBenchmark.Row.median(row.throughput), Double(row.recordedBytes) / 1e6,
                         RTMPBenchmark.Row.median(row.cpuPerGB) / RTMPBenchmark.Row.median(rows[1].cpuPerGB)))
        }
    }

    /// ffmpeg publishing the looped clip over RTSP on TCP, as fast as it goes.
    private static func publish(_ clip: String, _ loops: Int, _ url: String, log: String) throws -> SpawnedProcess {
        try SpawnedProcess(RTMPBenchmark.ffmpeg, ["-nostdin", "-v", "error", "-stream_loop", "\(loops - 1)", "-i", clip, "-c", "copy",
                                                  "-f", "rtsp", "-rtsp_transport", "tcp", url], log: log)
    }

    /// Waits for a child to exit, killing it after `childTimeout`.
    private static func wait(_ child: SpawnedProcess, _ what: String, start: Date) throws {
        while child.isRunning() {
            guard Date().timeIntervalSince(start) < childTimeout else {
                child.stop(signal: SIGKILL)
                throw BenchError("\(what) still running after \(childTimeout) s: killed")
            }
            usleep(5_000)
        }
    }


    /// Whether a socket listens on `port` (state 0A in /proc/net/tcp).
    private static func isListening(_ port: Int) -> Bool {
        let text = (try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)) ?? ""
        let hex = String(format: ":%04X", port)
        return text.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 3 && fields[1].hasSuffix(hex) && fields[3] == "0A"
        }
    }
}
