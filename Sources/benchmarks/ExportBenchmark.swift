import Foundation
import ISOBMFF
import MediaCore
import MP4Export
import Operations
import Recorder

/// `GET /export` of one hour made of 60 one-minute MP4 chunks (H.264 + AAC at `megabits`
/// Mbps, made once by ffmpeg and copied 60 times): how long until the first byte arrives,
/// and how fast the body comes over loopback, next to `cat` reading the same chunk files.
///
/// The server runs in this process (the recorder's own HTTPServer and routes over a catalog
/// of the 60 chunks); the client is a plain socket reading 1 MiB at a time. CPU seconds are
/// this process's (server and client together) and cat's. With `--cold` the page cache is
/// dropped before each read (root only), so the figures are the disk's.
struct ExportBenchmark {
    let directory: String
    let megabits: Double
    let runs: Int
    let cold: Bool

    func run() throws {
        let media = directory + "/media"
        try FileSystem.createDirectories(media)
        let first = media + "/chunk_00.mp4"
        print("export: making a one-minute chunk (640x360 H.264 + AAC, \(megabits) Mbps) with ffmpeg ...")
        let rate = "\(Int(megabits * 1000))k"
        let made = try ChildProcess.run("/usr/bin/env", ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
                                                         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "60",
                                                         "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-b:v", rate, "-minrate", rate,
                                                         "-maxrate", rate, "-bufsize", rate, "-x264-params", "nal-hrd=cbr",
                                                         "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", first])
        guard made.status == 0 else { throw BenchmarkError("ffmpeg failed with status \(made.status)") }
        var files = [first]
        for i in 1..<60 {
            let path = media + String(format: "/chunk_%02d.mp4", i)
            try FileManager.default.copyItem(atPath: first, toPath: path)
            files.append(path)
        }
        let sources = try ChunkConcatenation.consecutiveSources(files)
        let base = 1_796_000_000.0
        let catalog = try RecordingCatalog(directory: directory + "/state")
        for source in sources {
            catalog.upsert(RecordingEntry(file: source.path, localStreamName: "cam1", configId: 1, startTime: base + source.startTime,
                                          duration: 60, bytes: UInt64(FileSystem.fileSize(source.path) ?? 0), state: .finalized))
        }
        let chunkBytes = files.reduce(Int64(0)) { $0 + (FileSystem.fileSize($1) ?? 0) }

        var planTimes: [Double] = []
        var exportSize: Int64 = 0
        for _ in 0..<max(3, runs) {
            let start = Date()
            let movie = try ChunkConcatenation.export(sources.map { ExportSource(path: $0.path, startTime: base + $0.startTime) })
            planTimes.append(Date().timeIntervalSince(start))
            exportSize = movie.file.size
        }
        var readTimes: [Double] = []
        for _ in 0..<3 {
            let start = Date()
            for file in files { _ = try MP4Reader(path: file) }
            readTimes.append(Date().timeIntervalSince(start))
        }
        print(String(format: "export: reading the 60 moovs alone (MP4Reader): median %.1f ms", median(readTimes) * 1000))
        print(String(format: "export: 60 chunks, %.1f MiB of chunks, export %.1f MiB; planning (60 moovs read, moov built): median %.1f ms",
                     Double(chunkBytes) / 1048576, Double(exportSize) / 1048576, median(planTimes) * 1000))

        let paths = PathPolicy(mediaDirectory: media)
        let server = HTTPServer(host: "127.0.0.1", port: 0,
                                dispatcher: CommandDispatcher(control: RecorderEngine(options: .init(mp4writerPath: "/bin/false"), store: nil), paths: paths),
                                routes: RecordingRoutes(catalog: catalog, paths: paths).routes)
        try server.start()
        defer { server.stop() }

        print("run  first byte(ms)  export MB/s  cpu s/GB   cat MB/s  cat cpu s/GB")
        var firstBytes: [Double] = []
        var speeds: [Double] = []
        var catSpeeds: [Double] = []
        for run in 1...runs {
            dropCaches()
            let cpuBefore = processCPUSeconds()
            let (firstByte, total, bytes) = try fetch(port: server.port, target: "/export?localStreamName=cam1&start=\(base)&end=\(base + 3600)")
            let cpu = processCPUSeconds() - cpuBefore
            guard bytes == exportSize else { throw BenchmarkError("received \(bytes) bytes, expected \(exportSize)") }
            dropCaches()
            let cat = try ChildProcess.run("/bin/sh", ["-c", "cat \(media)/chunk_*.mp4 > /dev/null"])
            firstBytes.append(firstByte)
            speeds.append(Double(bytes) / total / 1e6)
            catSpeeds.append(Double(chunkBytes) / cat.wallSeconds / 1e6)
            print(String(format: "%3d  %14.1f  %11.0f  %8.2f  %9.0f  %12.2f", run, firstByte * 1000, Double(bytes) / total / 1e6,
                         cpu / (Double(bytes) / 1e9), Double(chunkBytes) / cat.wallSeconds / 1e6, cat.cpuSeconds / (Double(chunkBytes) / 1e9)))
        }
        print(String(format: "export: first byte median %.1f ms; %.0f MB/s against cat's %.0f MB/s (medians, %@ cache)",
                     median(firstBytes) * 1000, median(speeds), median(catSpeeds), cold ? "cold" : "warm"))
    }

    /// GET over a plain socket: seconds to the first body byte, seconds to the last, bytes.
    private func fetch(port: Int, target: String) throws -> (Double, Double, Int64) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let start = Date()
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw BenchmarkError("connect: errno \(errno)") }
        let request = "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var head: [UInt8] = []
        var firstByte: Double?
        var bodyBytes: Int64 = 0
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            if firstByte == nil {
                head += buffer[..<n]
                if let end = head.firstRange(of: [13, 10, 13, 10]) {
                    let body = head.count - end.upperBound
                    if body > 0 {
                        firstByte = Date().timeIntervalSince(start)
                        bodyBytes += Int64(body)
                    }
                }
            } else {
                bodyBytes += Int64(n)
            }
        }
        return (firstByte ?? .nan, Date().timeIntervalSince(start), bodyBytes)
    }

    private func dropCaches() {
        guard cold else { return }
        sync()
        if let handle = FileHandle(forWritingAtPath: "/proc/sys/vm/drop_caches") {
            handle.write(Data("3\n".utf8))
            try? handle.close()
        }
    }

    private func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    private func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
