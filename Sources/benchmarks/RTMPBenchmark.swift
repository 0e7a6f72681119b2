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
/// recorder with `type=mp4` (staging set, fdatasync every 2 s of media, then mp4writer); and
/// ffmpeg writing the same FLV to a file, the client's own ceiling (no server at all).
struct RTMPBenchmark {
    let directory: String
    /// Media bytes to push per run (the clip is looped to at least this).
    let targetBytes: Double
    let runs: Int
    /// Folder with recorder and mp4writer.
    let tools: String
    /// An existing 8 Mbps clip to reuse; else one is encoded into `directory`.
    let clipPath: String?

    static let ffmpeg = "/usr/bin/ffmpeg"
    static let nginx = "/usr/sbin/nginx"
    static let nginxRTMPModule = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
    /// A recording not closed this long after the publisher left is a failure, not a slow run.
    static let closeTimeout = 120.0

    struct Row {
        var name: String
        var throughput: [Double] = []  // MB/s of media
        var cpuPerGB: [Double] = []     // server CPU s per GB of media
        var clientCPU: [Double] = []    // ffmpeg's CPU s per run
        var recordedBytes = 0
        /// Runs whose recording holds less than the media pushed.
        var incomplete = 0
        static func median(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.sorted()[values.count / 2] }
    }

    func run() throws {
        for tool in [Self.ffmpeg, Self.nginx, Self.nginxRTMPModule, tools + "/recorder", tools + "/mp4writer"]
        where !FileManager.default.fileExists(atPath: tool) {
            throw BenchError("\(tool) is missing (apt-get install ffmpeg nginx libnginx-mod-rtmp; swift build -c release)")
        }
        let clip = try makeClip()
        let clipMedia = try mediaBytes(of: clip)
        let loops = Int((targetBytes / Double(clipMedia)).rounded(.up))
        let media = Double(clipMedia * loops)
        print(String(format: "clip %@: %.1f MB of media (audio + video packets); %d loops, %.1f MB per run, %d runs",
                     clip, Double(clipMedia) / 1e6, loops, media / 1e6, runs))

        let recorder = try RecorderProcess(tools: tools, directory: directory + "/recorder")
        defer { recorder.stop() }
        let nginx = try NginxProcess(directory: directory + "/nginx")
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

            let file = directory + "/client.flv"
            try measure(&rows[3], media: media, server: nil, publish: publishArguments(clip, loops, file)) { true } recording: { file }
        }

        let base = rows[0]
        let columns = ["server", "MB/s", "CPU s/GB", "ffmpeg CPU s", "recorded MB", "incomplete", "MB/s vs nginx", "CPU/GB vs nginx"]
        var table = [columns]
        for row in rows {
            let throughput = Row.median(row.throughput), cpu = Row.median(row.cpuPerGB)
            let isServer = !row.cpuPerGB.isEmpty
            table.append([row.name, String(format: "%.1f", throughput), isServer ? String(format: "%.2f", cpu) : "-",
                          String(format: "%.2f", Row.median(row.clientCPU)), String(format: "%.1f", Double(row.recordedBytes) / 1e6), "\(row.incomplete)",
                          String(format: "%.2fx", throughput / Row.median(base.throughput)),
                          isServer ? String(format: "%.2fx", cpu / Row.median(base.cpuPerGB)) : "-"])
        }
        print("\nmedians of \(runs) runs:")
        let widths = columns.indices.map { column in table.map { $0[column].count }.max()! }
        for line in table {
            print(line.indices.map { i in
                i == 0 ? line[i].padding(toLength: widths[i], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[i] - line[i].count) + line[i]
            }.joined(separator: "   "))
        }
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
        if server != nil { row.cpuPerGB.append(cpu / (media / 1e9)) }
        row.clientCPU.append(client.cpuSeconds)
        try? FileManager.default.removeItem(atPath: path)
    }

    func makeClip() throws -> String {
        if let clipPath, FileManager.default.fileExists(atPath: clipPath) { return clipPath }
        let clip = clipPath ?? directory + "/clip.mp4"
        // The faststart benchmark's clip: 60 s of 8 Mbps H.264 720p25 + AAC 128 kb/s.
        let args = ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-f", "lavfi",
                    "-i", "sine=frequency=440:sample_rate=48000", "-t", "60", "-c:v", "libx264", "-preset", "ultrafast",
                    "-b:v", "8M", "-maxrate", "8M", "-bufsize", "16M", "-g", "50", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-b:a", "128k", clip]
        print("encoding the clip: ffmpeg \(args.joined(separator: " "))")
        guard try ChildProcess.run(Self.ffmpeg, args, quiet: false).status == 0 else { throw BenchError("ffmpeg failed") }
        return clip
    }

    /// The sum of the clip's packet sizes, audio and video: the media a publisher sends.
    func mediaBytes(of clip: String) throws -> Int {
        let listing = directory + "/packets.csv"
        let m = try ChildProcess.run("/usr/bin/ffprobe", ["-v", "error", "-show_entries", "packet=size", "-of", "csv=p=0", clip],
                                     stdoutPath: listing)
        guard m.status == 0 else { throw BenchError("ffprobe failed on \(clip)") }
        let text = try String(contentsOfFile: listing, encoding: .utf8)
        return text.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.reduce(0, +)
    }
}

/// A child left running (a server), its output to a log file.
final class SpawnedProcess {
    let pid: pid_t
    private var reaped = false

    init(_ path: String, _ arguments: [String], log: String, directory: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard rc == 0 else { throw BenchError("\(path): posix_spawn failed (\(rc))") }
        self.pid = pid
    }

    /// CPU time of the process (all threads) and of its children it has waited for, from
    /// /proc/PID/stat: utime, stime, cutime, cstime (fields 14-17, in clock ticks).
    func cpuSeconds() throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // The command name (field 2) may hold spaces; the fields after its ')' do not.
        guard let close = stat.lastIndex(of: ")") else { throw BenchError("unreadable /proc/\(pid)/stat") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 14 else { throw BenchError("short /proc/\(pid)/stat") }
        let ticks = fields[11...14].compactMap { Double($0) }.reduce(0, +)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    func isRunning() -> Bool {
        guard !reaped else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { reaped = true }
        return !reaped
    }

    /// Sends `signal` unless it has exited, and waits for it (up to 10 s, then SIGKILL).
    func stop(signal: Int32) {
        guard isRunning() else { return }
        kill(pid, signal)
        for _ in 0..<1000 where isRunning() { usleep(10_000) }
        if isRunning() {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            reaped = true
        }
    }
}

/// `recorder serve` with its own media and state folders, ports chosen by the kernel.
final class RecorderProcess {
    let process: SpawnedProcess
    let logPath: String
    let media: String
    private(set) var rtmpPort = 0
    private(set) var httpPort = 0
    private(set) var rtspPort = 0

    init(tools: String, directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        media = directory + "/media"
        logPath = directory + "/recorder.log"
        process = try SpawnedProcess(tools + "/recorder", [
            "serve", "--http-port", "0", "--cli-port", "0", "--rtmp-host", "127.0.0.1", "--rtmp-port", "0", "--rtsp-port", "0",
            "--media", media, "--state", directory + "/state", "--mp4writer", tools + "/mp4writer",
        ], log: logPath)
        for _ in 0..<400 {
            if let line = log().split(separator: "\n").first(where: { $0.contains("recorder started: ") }) {
                httpPort = Self.port(in: line, after: "http=127.0.0.1:")
                rtmpPort = Self.port(in: line, after: "rtmp=127.0.0.1:")
                rtspPort = line.range(of: " rtsp=").map { Self.port(in: line[$0.upperBound...], after: ":") } ?? 0
                guard httpPort > 0, rtmpPort > 0 else { throw BenchError("no ports in: \(line)") }
                return
            }
            guard process.isRunning() else { break }
            usleep(25_000)
        }
        process.stop(signal: SIGKILL)
        throw BenchError("recorder did not start: \(log())")
    }

    private static func port(in line: Substring, after prefix: String) -> Int {
        guard let range = line.range(of: prefix) else { return 0 }
        return Int(line[range.upperBound...].prefix { $0.isNumber }) ?? 0
    }

    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func url(_ name: String) -> String { "rtmp://127.0.0.1:\(rtmpPort)/live/\(name)" }

    /// A record config for `name`; the file the recording will have.
    func record(_ name: String, type: String) throws -> String {
        let answer = try get("/record?localStreamName=\(name)&pathToFile=\(name)&type=\(type)")
        guard answer.contains(#""status":"SUCCESS""#),
              let range = answer.range(of: #""computedPathToFile":""#) else { throw BenchError("record failed: \(answer)") }
        return String(answer[range.upperBound...].prefix { $0 != "\"" }).replacingOccurrences(of: "\\/", with: "/")
    }

    /// Whether a log line has `event` for `file`.
    func logContains(_ event: String, file: String) -> Bool {
        log().split(separator: "\n").contains { $0.contains(#""event":"\#(event)""#) && $0.contains(#""file":"\#(file)""#) }
    }

    /// An HTTP/1.1 GET of the API; the body.
    func get(_ target: String) throws -> String {
        let socket = try StreamSocket.connect(host: "127.0.0.1", port: httpPort)
        defer { socket.close() }
        try socket.writeAll(Array("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let deadline = ContinuousClock.now + .seconds(10)
        reading: while true {
            let result = try buffer.withUnsafeMutableBytes { try socket.read(into: $0, deadline: deadline) }
            switch result {
            case .bytes(let n): response += buffer[0..<n]
            case .endOfStream: break reading
            case .timedOut: throw BenchError("no answer to GET \(target)")
            }
        }
        let text = String(decoding: response, as: UTF8.self)
        return text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
    }

    func stop() {
        _ = try? get("/shutdownServer")
        process.stop(signal: SIGTERM)
    }
}

/// nginx with the RTMP module, one process (`master_process off`), recording every stream
/// published to application `live` as FLV; `exec_record_done` marks each closed recording.
final class NginxProcess {
    let process: SpawnedProcess
    let directory: String
    let rtmpPort: Int

    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory + "/rec", withIntermediateDirectories: true)
        rtmpPort = try FreePort.pick()
        let config = """
            load_module \(RTMPBenchmark.nginxRTMPModule);
            daemon off;
            master_process off;
            worker_processes 1;
            error_log \(directory)/error.log notice;
            pid \(directory)/nginx.pid;
            events { worker_connections 64; }
            rtmp {
                server {
                    listen 127.0.0.1:\(rtmpPort);
                    application live {
                        live on;
                        record all;
                        record_path \(directory)/rec;
                        exec_record_done /usr/bin/touch \(directory)/rec/$basename.done;
                    }
                }
            }

            """
        try config.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        process = try SpawnedProcess(RTMPBenchmark.nginx, ["-p", directory, "-c", directory + "/nginx.conf", "-e", directory + "/error.log"],
                                     log: directory + "/stdout.log")
        for _ in 0..<400 {
            if let socket = try? StreamSocket.connect(host: "127.0.0.1", port: rtmpPort) {
                socket.close()
                return
            }
            guard process.isRunning() else { break }
            usleep(25_000)
        }
        process.stop(signal: SIGKILL)
        throw BenchError("nginx did not start: \((try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)) ?? "")")
    }

    func url(_ name: String) -> String { "rtmp://127.0.0.1:\(rtmpPort)/live/\(name)" }
    func recordingPath(_ name: String) -> String { directory + "/rec/\(name).flv" }
    func recordingDone(_ name: String) -> Bool { FileManager.default.fileExists(atPath: directory + "/rec/\(name).done") }

    func log() -> String { (try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)) ?? "" }

    func stop() { process.stop(signal: SIGQUIT) }
}
