import Foundation
#if canImport(Glibc)
import Glibc
import MediaCore
#endif
import Recorder

/// RTMP ingest against nginx with the RTMP module: both servers started here on loopback, the
/// same media pushed into each by ffmpeg as fast as it goes (no -re), each recording the
/// stream to a file. Per run: throughput (MB of media per second, from ffmpeg's start to the
/// recording closed) and the server's CPU seconds per GB of media (its utime + stime, and its
/// reaped children's, from /proc: the recorder's mp4writer is part of an mp4 recording).
///
/// Rows: nginx-rtmp `record all` (FLV); the recorder with `type=flv` (like for like); the
/// recorder with `type=mp4` (staging set, fdatasync every 2 s of wall time, then mp4writer); and
/// ffmpeg writing the same FLV to a file, the client's own ceiling (no server at all).
struct RTMPBenchmark {
    /// Its scratch folder, the recorder and mp4writer it runs, a clip to reuse.
    let place: BenchmarkPlace
    /// Media bytes to push per run (the clip is looped to at least this).
    let targetBytes: Double
    let runs: Int

    static let ffmpeg = "/usr/bin/ffmpeg"
    /// A recording not closed this long after the publisher left is a failure, not a slow run.
    static let closeTimeout = 120.0

    struct Row {
        var name: String
        var throughput: [Double] = []  // MB/s of media
        var cpuPerGB: [Double] = []     // server CPU s per GB of media
        var clientCPU: [Double] = []    // ffmpeg's CPU s per run
        var callsPerGB: [Double] = []   // server read + write system calls per GB of media
        var recordedBytes = 0
        /// Runs whose recording holds less than the media pushed.
        var incomplete = 0
        static func median(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.sorted()[values.count / 2] }
    }

    func run() throws {
        for tool in [Self.ffmpeg, NginxProcess.executable, NginxProcess.rtmpModule, place.tools + "/recorder", place.tools + "/mp4writer"]
        where !FileManager.default.fileExists(atPath: tool) {
            throw BenchError("\(tool) is missing (apt-get install ffmpeg nginx libnginx-mod-rtmp; swift build -c release)")
        }
        let clip = try BenchmarkClip.eightMbps.make(at: place.clipPath ?? place.directory + "/clip.mp4")
        let clipMedia = try BenchmarkClip.mediaBytes(of: clip, scratch: place.directory)
        let loops = Int((targetBytes / Double(clipMedia)).rounded(.up))
        let media = Double(clipMedia * loops)
        print(String(format: "clip %@: %.1f MB of media (audio + video packets); %d loops, %.1f MB per run, %d runs",
                     clip, Double(clipMedia) / 1e6, loops, media / 1e6, runs))

        let recorder = try RecorderProcess(tools: place.tools, directory: place.directory + "/recorder")
        defer { recorder.stop() }
        let nginx = try NginxProcess(directory: place.directory + "/nginx")
        defer { nginx.stop() }
        print("recorder pid \(recorder.process.pid) rtmp port \(recorder.rtmpPort); nginx pid \(nginx.process.pid) rtmp port \(nginx.rtmpPort)")

        var rows = ["nginx-rtmp, record all (flv)", "recorder, type=flv", "recorder, type=mp4", "ffmpeg to a file (no server)"].map { Row(name: $0) }
        for run in 0..<runs {
            // nginx-rtmp: the recording is closed when exec_record_done has run.
            try measure(&rows[0], media: media, server: nginx.process, publish: publishArguments(clip, loops, nginx.url("n\(run)")),
                        serverLog: nginx.log) {
                nginx.recordingDone("n\(run)")
            } recording: { nginx.recordingPath("n\(run)") }

            for (index, type) in [(1, "flv"), (2, "mp4")] {
                let name = "r\(run)\(type)"
                let path = try recorder.record(name, type: type)
                try measure(&rows[index], media: media, server: recorder.process, publish: publishArguments(clip, loops, recorder.url(name)),
                            serverLog: recorder.log) {
                    recorder.logContains(type == "mp4" ? "recordChunkFinalized" : "recordChunkClosed", file: path)
                } recording: { path }
            }

            let file = place.directory + "/client.flv"
            try measure(&rows[3], media: media, server: nil, publish: publishArguments(clip, loops, file)) { true } recording: { file }
        }

        let base = rows[0]
        let columns = ["server", "MB/s", "CPU s/GB", "read+write calls/GB", "ffmpeg CPU s", "recorded MB", "incomplete", "MB/s vs nginx", "CPU/GB vs nginx"]
        var table = [columns]
        for row in rows {
            let throughput = Row.median(row.throughput), cpu = Row.median(row.cpuPerGB)
            let isServer = !row.cpuPerGB.isEmpty
            table.append([row.name, String(format: "%.1f", throughput), isServer ? String(format: "%.2f", cpu) : "-",
                          isServer ? String(format: "%.0f", Row.median(row.callsPerGB)) : "-",
                          String(format: "%.2f", Row.median(row.clientCPU)), String(format: "%.1f", Double(row.recordedBytes) / 1e6), "\(row.incomplete)",
                          String(format: "%.2fx", throughput / Row.median(base.throughput)),
                          isServer ? String(format: "%.2fx", cpu / Row.median(base.cpuPerGB)) : "-"])
        }
        print("\nmedians of \(runs) runs:")
        AlignedTable.print(table)
        print("each run, MB/s and server CPU s/GB:")
        for row in rows {
            let cpu = row.cpuPerGB.isEmpty ? Array(repeating: Double.nan, count: row.throughput.count) : row.cpuPerGB
            print("  \(row.name): " + zip(row.throughput, cpu).map { String(format: "%.1f / %.2f", $0, $1) }.joined(separator: ",  "))
        }
    }

    private func publishArguments(_ clip: String, _ loops: Int, _ target: String) -> [String] {
        ["-nostdin", "-v", "error", "-stream_loop", "\(loops - 1)", "-i", clip, "-c", "copy", "-f", "flv", target]
    }

    /// One push: empty the dirty page cache first (no run pays for another's writeback), read
    /// the server's CPU, run ffmpeg, wait until `closed`, read the CPU again.
    private func measure(_ row: inout Row, media: Double, server: SpawnedProcess?, publish: [String],
                         serverLog: () -> String = { "" }, closed: () -> Bool, recording: () -> String) throws {
        Glibc.sync()
        let cpuBefore = try server?.cpuSeconds() ?? 0
        let callsBefore = server?.readWriteCalls() ?? 0
        let start = Date()
        let client = try ChildProcess.run(Self.ffmpeg, publish)
        guard client.status == 0 else { throw BenchError("\(row.name): ffmpeg exited \(client.status)") }
        while !closed() {
            guard Date().timeIntervalSince(start) < client.wallSeconds + Self.closeTimeout else {
                throw BenchError("\(row.name): the recording was not closed \(Self.closeTimeout) s after the publisher left")
            }
            usleep(5_000)
        }
        let wall = Date().timeIntervalSince(start)
        let cpu = try (server?.cpuSeconds() ?? 0) - cpuBefore
        let calls = (server?.readWriteCalls() ?? 0) - callsBefore
        let path = recording()
        row.recordedBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        if Double(row.recordedBytes) < media {
            // Counted, not fatal: ffmpeg closes its socket right after deleteStream without
            // reading what the server sent last; a byte left unread makes the kernel reset the
            // connection and drop what ffmpeg had not yet sent (see docs/benchmarks.md).
            row.incomplete += 1
            let lines = serverLog().split(separator: "\n").suffix(3).joined(separator: "\n")
            print("\(row.name): \(path) holds \(row.recordedBytes) bytes, less than the \(Int(media)) of media pushed:\n\(lines)")
        }
        row.throughput.append(media / wall / 1e6)
        if server != nil {
            row.cpuPerGB.append(cpu / (media / 1e9))
            row.callsPerGB.append(Double(calls) / (media / 1e9))
        }
        row.clientCPU.append(client.cpuSeconds)
        try? FileManager.default.removeItem(atPath: path)
    }
}
