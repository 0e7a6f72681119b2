import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MediaCore
import Recorder

/// Finalize strategies against the peers that move moov to the front: qt-faststart and
/// `ffmpeg -c copy -movflags +faststart` on the equivalent moov-at-end MP4, and a plain `cp`
/// of the payload bytes. One run, same machine, same data.
///
/// Beside them, the in-place finalize against its crash-safe floor: `finalizefloor` (C, libc
/// only) writes a journal of the same header length, syncs and renames as the in-place
/// strategy does and nothing else; and the start-up of each process alone (mp4writer
/// `--version`, finalizefloor `--noop`), so that what separates the two shows.
struct FaststartBenchmark {
    let directory: String
    let sizesGiB: [Double]
    let runs: Int
    let tools: String  // folder with mp4writer
    let floorTool: String  // finalizefloor
    /// False: only mp4writer in place, the floor and the start-ups (no peers, no copies).
    let peers: Bool
    /// Start-up is a few milliseconds: the median of this many runs each time.
    static let startupRepetitions = 20

    struct Row {
        var name: String
        var wall: [Double] = []
        var cpu: [Double] = []
        var peak: [Int] = []
        /// Peak dirty page cache during each run (`DirtyPageSampler`).
        var dirty: [Int] = []
        var median: Double { wall.sorted()[wall.count / 2] }
        var medianCPU: Double { cpu.sorted()[cpu.count / 2] }
    }

    func run() throws {
        let clip = try BenchmarkClip.eightMbps.make(at: directory + "/clip.mp4")
        let clipSize = Double((try FileManager.default.attributesOfItem(atPath: clip)[.size] as? Int) ?? 1)
        for gib in sizesGiB {
            let loops = Int((gib * 1_073_741_824 / clipSize).rounded(.up))
            let dir = directory + "/\(gib)GiB"
            try? FileManager.default.removeItem(atPath: dir)
            try FileManager.default.createDirectory(atPath: dir + "/saved", withIntermediateDirectories: true)
            let set = dir + "/rec.mp4", tail = dir + "/tail.mp4"
            let samples = try MP4FileSource(path: clip).writeStagingSet(output: set, loops: loops)
            guard try ChildProcess.run("/usr/bin/ffmpeg", ["-v", "error", "-y", "-stream_loop", "\(loops - 1)", "-i", clip,
                                                           "-c", "copy", "-f", "mp4", tail]).status == 0 else { throw BenchError("ffmpeg loop failed") }
            let small = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("rec.mp4.") && $0 != "rec.mp4.mdat" }
            for f in small { try FileManager.default.copyItem(atPath: "\(dir)/\(f)", toPath: "\(dir)/saved/\(f)") }
            let mdatSize = (try FileManager.default.attributesOfItem(atPath: set + ".mdat")[.size] as? Int) ?? 0
            print(String(format: "\n== %.2g GiB set: %d loops of the clip, %d samples, .mdat %.2f GiB; moov-at-end MP4 for the peers",
                         gib, loops, samples, Double(mdatSize) / 1_073_741_824))

            var rows = ["mp4writer inplace", "mp4writer copy", "mp4writer readwrite", "qt-faststart",
                        "ffmpeg +faststart", "cp (same bytes)", "cp + fsync",
                        "crash-safe floor", "mp4writer start-up", "floor start-up"].map { Row(name: $0) }
            let floorRow = 7, writerStartRow = 8, floorStartRow = 9
            func measure(_ index: Int, input: String, cached: Bool = true, _ path: String, _ args: [String]) throws {
                // Start each run with nothing dirty, as a recording whose writer synced as it
                // went, and with the input in the page cache (the collapse that restores the
                // set after an in-place run drops .mdat's cached pages, which would make the
                // next tool read from disk): no tool pays for another's reads or writeback.
                // In place starts with .mdat out of the cache, as the staging writer leaves
                // it (it drops the pages it synced); only the header is read and written.
                Glibc.sync()
                if cached { try warm(input) } else { try dropCache(input) }
                let sampler = DirtyPageSampler.start()
                let m = try ChildProcess.run(path, args)
                rows[index].dirty.append(sampler.stop())
                guard m.status == 0 else { throw BenchError("\(rows[index].name) failed with status \(m.status)") }
                rows[index].wall.append(m.wallSeconds)
                rows[index].cpu.append(m.cpuSeconds)
                rows[index].peak.append(m.peakMemoryBytes)
            }
            let out = dir + "/out.mp4"
            let floorDirectory = dir + "/floor"
            try FileManager.default.createDirectory(atPath: floorDirectory, withIntermediateDirectories: true)
            for _ in 0..<runs {
                try measure(0, input: set + ".mdat", cached: false, tools + "/mp4writer", ["-path=\(set)", "--strategy=inplace", "--quiet"])
                // The floor writes a header as long as the one just inserted, in the same folder's filesystem.
                let header = try payloadStart(of: set)
                try restoreSet(set, saved: dir + "/saved")
                try measure(floorRow, input: floorTool, floorTool, [floorDirectory, "\(header)"])
                try FileManager.default.removeItem(atPath: floorDirectory + "/floor.mp4")
                for _ in 0..<Self.startupRepetitions {
                    try measure(writerStartRow, input: tools + "/mp4writer", tools + "/mp4writer", ["--version"])
                    try measure(floorStartRow, input: floorTool, floorTool, ["--noop"])
                }
                guard peers else { continue }
                try measure(1, input: set + ".mdat", tools + "/mp4writer", ["-path=\(set)", "--strategy=copy", "--keep-staging", "--quiet"])
                try FileManager.default.removeItem(atPath: set)
                try measure(2, input: set + ".mdat", tools + "/mp4writer", ["-path=\(set)", "--strategy=readwrite", "--keep-staging", "--quiet"])
                try FileManager.default.removeItem(atPath: set)
                try measure(3, input: tail, "/usr/bin/qt-faststart", [tail, out])
                try FileManager.default.removeItem(atPath: out)
                try measure(4, input: tail, "/usr/bin/ffmpeg", ["-v", "error", "-y", "-i", tail, "-c", "copy", "-movflags", "+faststart", out])
                try FileManager.default.removeItem(atPath: out)
                try measure(5, input: set + ".mdat", "/bin/cp", [set + ".mdat", out])
                try FileManager.default.removeItem(atPath: out)
                // mp4writer makes its output durable (fsync) before renaming; qt-faststart,
                // ffmpeg and cp do not. This row is the kernel copy with the same guarantee.
                try measure(6, input: set + ".mdat", "/bin/sh", ["-c", "cp \"$0\" \"$1\" && sync \"$1\"", set + ".mdat", out])
                try FileManager.default.removeItem(atPath: out)
            }
            let base = rows[0].median
            print("tool                     median wall    median cpu   peak MiB   peak dirty MiB   wall / inplace")
            for row in rows where !row.wall.isEmpty {
                print(String(format: "%@ %9.3f s   %8.3f s   %8.1f   %14.1f   %8.1fx", row.name.padding(toLength: 22, withPad: " ", startingAt: 0) as NSString, row.median, row.medianCPU,
                             Double(row.peak.max() ?? 0) / 1_048_576, Double(row.dirty.max() ?? 0) / 1_048_576, row.median / base))
            }
            print(String(format: "in place / crash-safe floor: %.2fx (%.1f ms / %.1f ms); start-up: mp4writer %.1f ms, floor %.1f ms",
                         rows[0].median / rows[floorRow].median, rows[0].median * 1000, rows[floorRow].median * 1000,
                         rows[writerStartRow].median * 1000, rows[floorStartRow].median * 1000))
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    /// Drops a file's clean pages from the page cache.
    private func dropCache(_ path: String) throws {
        let fd = try FileDescriptor.open(path, .readOnly)
        defer { try? fd.close() }
        fd.dropCachedPages()
    }

    /// Reads a file through once, so that its pages are cached.
    private func warm(_ path: String) throws {
        let fd = try FileDescriptor.open(path, .readOnly)
        defer { try? fd.close() }
        var buffer = [UInt8](repeating: 0, count: 8 << 20)
        var offset: Int64 = 0
        while true {
            let n = try buffer.withUnsafeMutableBytes { raw in
                Result { () throws(SystemError) in try fd.read(into: raw, fromAbsoluteOffset: offset) }
            }.get()
            if n == 0 { break }
            offset += Int64(n)
        }
    }

    /// Turns an in-place result back into the staging set it came from: take the header out
    /// again (collapse range) and put back the small files, so the next run starts equal.
    private func restoreSet(_ set: String, saved: String) throws {
        let tree = try FileDescriptor.open(set, .readWrite)
        defer { try? tree.close() }
        // The payload starts after the mdat header, whose offset the in-place layout aligned.
        let header = try payloadStart(of: set)
        try tree.collapseRange(at: 0, length: header)
        try FileSystem.rename(set, to: set + ".mdat")
        for f in try FileManager.default.contentsOfDirectory(atPath: saved) {
            let target = FileSystem.directoryName(set) + "/" + f
            try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.copyItem(atPath: saved + "/" + f, toPath: target)
        }
    }

    /// Walks the top-level boxes to the mdat payload.
    private func payloadStart(of path: String) throws -> Int64 {
        let fd = try FileDescriptor.open(path, .readOnly)
        defer { try? fd.close() }
        var offset: Int64 = 0
        while true {
            var r = ByteReader(try fd.read(count: 16, fromAbsoluteOffset: offset))
            let size32: UInt32 = try r.readInteger()
            let type = try r.readFourCC()
            let size = size32 == 1 ? Int64(try r.readInteger(UInt64.self)) : Int64(size32)
            if type == "mdat" { return offset + (size32 == 1 ? 16 : 8) }
            guard size >= 8 else { throw BenchError("bad box at \(offset)") }
            offset += size
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
