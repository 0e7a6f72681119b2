import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Many publishers at live speed: `streams` ffmpeg processes push the same clip at once, each
/// with `-re -c copy` (no encoding, so the clients cost little), into the recorder recording
/// each to mp4 (a record config per stream made before the pushes, as an operator would), then
/// into nginx-rtmp with `record all`, in one run. Each server is started fresh for its turn, so
/// its peak memory is that turn's.
///
/// Per server: CPU seconds per stream-minute of media (utime + stime of the server and of the
/// children it reaped, from /proc: the recorder's mp4writer runs count), its peak resident
/// memory (VmHWM), the peak of its children's (`ProcessSampler`, sampled), its thread count,
/// and whether every recording is complete: it exists, ffprobe reads it, and each track has
/// the source's packet count and lasts as long as the source's within two video frames.
struct PublishersBenchmark {
    /// Its scratch folder, the recorder and mp4writer it runs, a clip to reuse.
    let place: BenchmarkPlace
    let streams: Int
    /// The clip: its length is each publisher's push, its bitrate each stream's.
    let clip: BenchmarkClip

    /// A recording not closed this long after its publisher left is a failure.
    static let closeTimeout = 120.0
    /// How far a recording's duration may be from the source's: two video frames.
    static let durationTolerance = 2.0 / Double(BenchmarkClip.frameRate)

    /// One server's turn.
    struct Turn {
        var name: String
        var cpuSeconds = 0.0
        /// The part of `cpuSeconds` its reaped children spent (the recorder's mp4writer runs).
        var childCPUSeconds = 0.0
        var streamMinutes = 0.0
        var peakBytes = 0
        var idleBytes = 0
        var sampled = ProcessSampler.Peaks()
        var complete = 0
        var problems: [String] = []
        /// The publishers' own CPU seconds, all of them.
        var clientCPU = 0.0
        /// From the pushes' start to the last recording closed.
        var wallSeconds = 0.0
        /// Busy CPU of the whole machine during the turn, in cores (of `cores`).
        var machineBusyCores = 0.0
        var loadBefore = "", loadAfter = ""
        var cpuPerStreamMinute: Double { cpuSeconds / streamMinutes }
    }

    /// What ffprobe finds in a file's video or audio track.
    struct TrackProbe: Equatable {
        var packets = 0
        var seconds = 0.0
    }

    func run() throws {
        for tool in [RTMPBenchmark.ffmpeg, "/usr/bin/ffprobe", NginxProcess.executable, NginxProcess.rtmpModule,
                     place.tools + "/recorder", place.tools + "/mp4writer"] where !FileManager.default.fileExists(atPath: tool) {
            throw BenchError("\(tool) is missing (apt-get install ffmpeg nginx libnginx-mod-rtmp; swift build -c release)")
        }
        let path = try clip.make(at: place.clipPath ?? place.directory + "/clip-\(clip.videoKbps)k-\(clip.seconds)s.mp4")
        let source = (video: try probe(path, "v"), audio: try probe(path, "a"))
        print(String(format: "clip %@: video %d frames %.3f s, audio %d frames %.3f s; %d publishers, -re -c copy",
                     path, source.video.packets, source.video.seconds, source.audio.packets, source.audio.seconds, streams))

        var turns: [Turn] = []
        // The recorder: record configs first, then the pushes; closed once every MP4 is final.
        do {
            let recorder = try RecorderProcess(tools: place.tools, directory: place.directory + "/recorder")
            defer { recorder.stop() }
            let names = (0..<streams).map { "p\($0)" }
            var files: [String] = []
            for name in names { files.append(try recorder.record(name, type: "mp4")) }
            var turn = try push(path, into: recorder.process, name: "recorder, type=mp4", urls: names.map(recorder.url)) {
                let finalized = Set(recorder.log().split(separator: "\n").filter { $0.contains(#""event":"recordChunkFinalized""#) }
                    .compactMap { line in line.range(of: #""file":""#).map { String(line[$0.upperBound...].prefix { $0 != "\"" }) } }
                    .map { $0.replacingOccurrences(of: "\\/", with: "/") })
                return files.allSatisfy(finalized.contains)
            }
            check(&turn, files, source)
            turns.append(turn)
        }
        do {
            // The listening socket and each publisher take a connection each.
            let nginx = try NginxProcess(directory: place.directory + "/nginx", connections: streams + 16)
            defer { nginx.stop() }
            let names = (0..<streams).map { "n\($0)" }
            var turn = try push(path, into: nginx.process, name: "nginx-rtmp, record all (flv)", urls: names.map(nginx.url)) {
                names.allSatisfy(nginx.recordingDone)
            }
            check(&turn, names.map(nginx.recordingPath), source)
            turns.append(turn)
        }
        report(turns)
        for file in (try? FileManager.default.contentsOfDirectory(atPath: place.directory)) ?? [] where file != (path as NSString).lastPathComponent {
            try? FileManager.default.removeItem(atPath: place.directory + "/" + file)
        }
    }

    /// Starts every publisher at once, waits for them and for `closed`, and measures the server.
    private func push(_ clipFile: String, into server: SpawnedProcess, name: String, urls: [String], closed: () -> Bool) throws -> Turn {
        var turn = Turn(name: name)
        turn.idleBytes = (ProcessSampler.statusField("VmRSS", pid: Int(server.pid)) ?? 0) * 1024
        Glibc.sync()
        turn.loadBefore = Self.loadAverage()
        let machineBefore = Self.machineTicks()
        let clientsBefore = Self.reapedChildrenCPU()
        let cpuBefore = try server.cpuSeconds(), childCPUBefore = try server.childrenCPUSeconds()
        let sampler = ProcessSampler.start(pid: server.pid)
        let start = Date()
        var publishers: [SpawnedProcess] = []
        for (index, url) in urls.enumerated() {
            publishers.append(try SpawnedProcess(RTMPBenchmark.ffmpeg, ["-nostdin", "-v", "error", "-re", "-i", clipFile,
                                                                        "-c", "copy", "-f", "flv", url],
                                                 log: place.directory + "/publisher\(index).log"))
        }
        while publishers.contains(where: { $0.isRunning() }) { usleep(50_000) }
        let pushed = Date().timeIntervalSince(start)
        turn.clientCPU = Self.reapedChildrenCPU() - clientsBefore
        for (index, publisher) in publishers.enumerated() where publisher.exitStatus != 0 {
            turn.problems.append("publisher \(index) exited \(publisher.exitStatus.map(String.init) ?? "by a signal"): "
                + ((try? String(contentsOfFile: place.directory + "/publisher\(index).log", encoding: .utf8)) ?? ""))
        }
        while !closed() {
            guard Date().timeIntervalSince(start) < pushed + Self.closeTimeout else {
                throw BenchError("\(name): the recordings were not all closed \(Self.closeTimeout) s after the publishers left")
            }
            usleep(50_000)
        }
        turn.wallSeconds = Date().timeIntervalSince(start)
        turn.cpuSeconds = try server.cpuSeconds() - cpuBefore
        turn.childCPUSeconds = try server.childrenCPUSeconds() - childCPUBefore
        turn.sampled = sampler.stop()
        turn.peakBytes = (ProcessSampler.statusField("VmHWM", pid: Int(server.pid)) ?? 0) * 1024
        let machineAfter = Self.machineTicks()
        turn.machineBusyCores = Double(machineAfter.busy - machineBefore.busy) / Double(sysconf(Int32(_SC_CLK_TCK))) / turn.wallSeconds
        turn.loadAfter = Self.loadAverage()
        turn.streamMinutes = Double(urls.count) * Double(clip.seconds) / 60
        return turn
    }

    /// Every recording complete: readable, each track's packets and duration as the source's.
    private func check(_ turn: inout Turn, _ files: [String], _ source: (video: TrackProbe, audio: TrackProbe)) {
        for file in files {
            guard let video = try? probe(file, "v"), let audio = try? probe(file, "a") else {
                turn.problems.append("\(file): missing or unreadable")
                continue
            }
            var faults: [String] = []
            for (kind, got, want) in [("video", video, source.video), ("audio", audio, source.audio)] {
                if got.packets != want.packets { faults.append("\(kind) \(got.packets) of \(want.packets) frames") }
                if abs(got.seconds - want.seconds) > Self.durationTolerance {
                    faults.append(String(format: "%@ %.3f s, source %.3f s", kind, got.seconds, want.seconds))
                }
            }
            if faults.isEmpty { turn.complete += 1 } else { turn.problems.append("\(file): " + faults.joined(separator: ", ")) }
        }
    }

    /// Packet count and span (first presentation time to the last one's end) of a file's
    /// first video ("v") or audio ("a") track, as ffprobe reads them.
    private func probe(_ file: String, _ selector: String) throws -> TrackProbe {
        let listing = place.directory + "/probe.csv"
        let m = try ChildProcess.run("/usr/bin/ffprobe", ["-v", "error", "-select_streams", "\(selector):0", "-show_entries",
                                                          "packet=pts_time,duration_time", "-of", "csv=p=0", file], stdoutPath: listing)
        guard m.status == 0 else { throw BenchError("ffprobe failed on \(file)") }
        var probe = TrackProbe(), first = Double.infinity, end = -Double.infinity
        for line in try String(contentsOfFile: listing, encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: ",").map { Double($0) ?? 0 }
            guard fields.count >= 2 else { continue }
            probe.packets += 1
            first = min(first, fields[0])
            end = max(end, fields[0] + fields[1])
        }
        probe.seconds = probe.packets > 0 ? end - first : 0
        return probe
    }

    private func report(_ turns: [Turn]) {
        guard let base = turns.last else { return }  // nginx
        let columns = ["server", "CPU s/stream-min", "peak MiB", "idle MiB", "threads", "children peak MiB", "complete",
                       "CPU vs nginx", "peak vs nginx", "publishers CPU s", "machine busy cores", "wall s"]
        var table = [columns]
        for turn in turns {
            table.append([turn.name, String(format: "%.3f", turn.cpuPerStreamMinute), Self.mebibytes(turn.peakBytes),
                          Self.mebibytes(turn.idleBytes), "\(turn.sampled.threads)",
                          turn.sampled.children > 0 ? Self.mebibytes(turn.sampled.childBytes) + " (\(turn.sampled.children) seen)" : "-",
                          "\(turn.complete)/\(streams)",
                          String(format: "%.2fx", turn.cpuPerStreamMinute / base.cpuPerStreamMinute),
                          String(format: "%.2fx", Double(turn.peakBytes) / Double(base.peakBytes)),
                          String(format: "%.1f", turn.clientCPU), String(format: "%.2f", turn.machineBusyCores),
                          String(format: "%.1f", turn.wallSeconds)])
        }
        print()
        AlignedTable.print(table)
        for turn in turns {
            print(String(format: "%@: %.2f CPU s (%.2f of them its children's) over %.1f stream-minutes; load average %@ before, %@ after",
                         turn.name, turn.cpuSeconds, turn.childCPUSeconds, turn.streamMinutes, turn.loadBefore, turn.loadAfter))
            for problem in turn.problems.prefix(10) { print("  " + problem.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if turn.problems.count > 10 { print("  ... and \(turn.problems.count - 10) more") }
        }
    }

    private static func mebibytes(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1_048_576) }

    private static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "").split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// Busy clock ticks of all CPUs together (/proc/stat's first line, idle and iowait left out).
    private static func machineTicks() -> (busy: Int, total: Int) {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first else { return (0, 0) }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Int($0) }
        guard ticks.count >= 5 else { return (0, 0) }
        let total = ticks.reduce(0, +)
        return (total - ticks[3] - ticks[4], total)
    }

    /// CPU seconds of every child this process has reaped so far.
    private static func reapedChildrenCPU() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}
