import Foundation
import ISOBMFF
import MediaCore
import MP4Export
import TestSupport
import XCTest

/// `recorder serve` records a short ffmpeg-made stream (H.264 with B-frames, AAC) into 2 s
/// chunks; then `/export`, `/media`, the playlists and `mp4writer --concat` are checked by
/// ffmpeg 5.1, ffmpeg 9 and curl. One recording is shared by every test of the class (CI
/// time: one 7 s stream).
final class ExportEndToEndTests: XCTestCase {
    nonisolated(unsafe) static var server: RecorderProcess?
    nonisolated(unsafe) static var chunks: [(file: String, start: Double)] = []
    nonisolated(unsafe) static var setupError: String?

    override class func setUp() {
        guard ExternalTool.find("ffmpeg") != nil, ExternalTool.find("ffprobe") != nil, ExternalTool.find("curl") != nil else { return }
        do {
            let dir = TestPaths.temporaryDirectory("export-e2e")
            let server = try RecorderProcess(directory: dir)
            Self.server = server
            _ = try server.command("/record?localStreamName=cam1&pathToFile=cam1&chunkLength=2")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: ExternalTool.find("ffmpeg")!)
            // B-frames (ctts, an edit list per chunk) and a keyframe a second.
            p.arguments = ["-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                           "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "7",
                           "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-pix_fmt", "yuv420p",
                           "-c:a", "aac", "-b:a", "64k", "-f", "flv", "rtmp://127.0.0.1:\(server.rtmpPort)/live/cam1"]
            try p.run()
            p.waitUntilExit()
            _ = OperationsSupport.waitUntil {
                let all = (try? OperationsSupport.listedFiles(server)) ?? [:]
                return !all.isEmpty && all.values.allSatisfy { $0["state"] as? String == "finalized" }
            }
            chunks = try OperationsSupport.listedFiles(server).values
                .compactMap { e in (e["file"] as? String).flatMap { f in (e["startTime"] as? Double).map { (f, $0) } } }
                .sorted { $0.1 < $1.1 }
        } catch {
            setupError = "\(error)"
        }
    }

    override class func tearDown() {
        server?.stop()
    }

    private func recording() throws -> (RecorderProcess, [(file: String, start: Double)]) {
        try FFmpegCheck.require()
        try ExternalTool.require(["curl"], install: "apt-get install curl")
        guard let server = Self.server, Self.setupError == nil else { throw XCTSkip("no recording: \(Self.setupError ?? "setup failed")") }
        XCTAssertGreaterThanOrEqual(Self.chunks.count, 3, "7 s in 2 s chunks")
        guard Self.chunks.count >= 3 else { throw XCTSkip("too few chunks") }
        return (server, Self.chunks)
    }

    private func url(_ server: RecorderProcess, _ target: String) -> String { "http://127.0.0.1:\(server.httpPort)\(target)" }

    /// The hash column of a framemd5: decoded frames, or coded packets with `copy`.
    private func hashes(_ input: String, _ stream: String, copy: Bool = false, ignoreEditList: Bool = false,
                        ffmpeg: String = "ffmpeg") throws -> [String] {
        let out = try ExternalTool.run(ffmpeg, ["-nostdin", "-v", "error"] + (ignoreEditList ? ["-ignore_editlist", "1"] : [])
                                       + ["-i", input, "-map", "0:\(stream):0"] + (copy ? ["-c", "copy"] : []) + ["-f", "framemd5", "-"])
        XCTAssertEqual(out.stderr, "", "\(ffmpeg) on \(input)")
        return out.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { String($0.split(separator: ",")[5]).trimmingCharacters(in: .whitespaces) }
    }

    /// The chunks' frames one after the other: what a join must hold.
    private func sourceHashes(_ files: [String], _ stream: String, copy: Bool) throws -> [String] {
        try files.flatMap { try hashes($0, stream, copy: copy) }
    }

    private func assertContiguousRun(_ part: [String], of whole: [String], _ what: String, file: StaticString = #filePath, line: UInt = #line) -> Int? {
        guard let first = part.first, let start = whole.firstIndex(of: first) else {
            XCTFail("\(what): first frame not in the source", file: file, line: line)
            return nil
        }
        XCTAssertEqual(Array(whole[start..<min(whole.count, start + part.count)]), part, "\(what): a contiguous run of the source", file: file, line: line)
        return start
    }

    func testTheWholeExportHoldsExactlyTheChunksFramesAndDecodesSilently() throws {
        let (server, chunks) = try recording()
        let export = url(server, "/export?localStreamName=cam1")
        XCTAssertEqual(try FFmpegCheck.complaints(export), "", "ffmpeg 5.1 decodes the export silently")
        let files = chunks.map(\.file)
        XCTAssertEqual(try hashes(export, "v"), try sourceHashes(files, "v", copy: false), "every decoded video frame, in order")
        XCTAssertEqual(try hashes(export, "a", copy: true), try sourceHashes(files, "a", copy: true), "every AAC packet, in order")
        let modern = try ModernFFmpeg.require()
        XCTAssertEqual(try hashes(export, "v", ffmpeg: modern), try sourceHashes(files, "v", copy: false), "ffmpeg 9 too")
    }

    func testASubRangeAcrossAChunkBoundaryStartsOnAKeyframeAndIsTrimmedToTheRange() throws {
        let (server, chunks) = try recording()
        let start = chunks[1].start + 1.02
        let end = chunks[2].start + 0.98
        let export = url(server, "/export?localStreamName=cam1&start=\(start)&end=\(end)")
        XCTAssertEqual(try FFmpegCheck.complaints(export), "")
        let files = chunks.map(\.file)
        let source = try sourceHashes(files, "v", copy: false)
        let shown = try hashes(export, "v")
        // The edit list shows the range: about 25 fps over (end - start) seconds.
        XCTAssertEqual(Double(shown.count), (end - start) * 25, accuracy: 3, "the frames of the range")
        let shownStart = assertContiguousRun(shown, of: source, "decoded frames")
        // Without the edit list: the samples stored, from the keyframe at or before start.
        let stored = try hashes(export, "v", copy: true, ignoreEditList: true)
        let storedStart = assertContiguousRun(stored, of: try sourceHashes(files, "v", copy: true), "stored packets")
        if let shownStart, let storedStart {
            XCTAssertEqual(storedStart % 25, 0, "the stored run starts on a keyframe (one every 25 frames, chunks start on one)")
            XCTAssertLessThanOrEqual(storedStart, shownStart)
            XCTAssertGreaterThan(shownStart - storedStart, 0, "start lies mid-GOP: the frames before it are hidden")
        }
        let probe = try ExternalTool.run("ffprobe", ["-v", "error", "-select_streams", "v", "-show_entries", "packet=flags", "-of", "csv=p=0", export])
        XCTAssertTrue(probe.stdout.hasPrefix("K"), "the first stored packet is a keyframe: \(probe.stdout.prefix(20))")
        let modern = try ModernFFmpeg.require()
        XCTAssertEqual(try hashes(export, "v", ffmpeg: modern), shown, "ffmpeg 9 shows the same frames")
    }

    func testTheHLSPlaylistAndTheFFConcatListPlayTheSameFramesInBothFFmpegs() throws {
        let (server, chunks) = try recording()
        let files = chunks.map(\.file)
        let source = try sourceHashes(files, "v", copy: false)
        let modern = try ModernFFmpeg.require()
        for ffmpeg in ["ffmpeg", modern] {
            let hls = url(server, "/playlist.m3u8?localStreamName=cam1")
            XCTAssertEqual(try hashes(hls, "v", ffmpeg: ffmpeg), source, "\(ffmpeg) plays the m3u8 (fMP4 segments)")
            XCTAssertFalse(try hashes(hls, "a", ffmpeg: ffmpeg).isEmpty, "with its audio")
            // The concat demuxer takes URLs with a query only with -safe 0.
            let concat = try ExternalTool.run(ffmpeg, ["-nostdin", "-v", "error", "-safe", "0", "-i", url(server, "/playlist.ffconcat?localStreamName=cam1"),
                                                       "-map", "0:v:0", "-f", "framemd5", "-"])
            XCTAssertEqual(concat.stderr, "", ffmpeg)
            XCTAssertEqual(concat.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }
                .map { String($0.split(separator: ",")[5]).trimmingCharacters(in: .whitespaces) }, source, "\(ffmpeg) plays the ffconcat list")
        }
        let one = url(server, "/playlist.m3u8?file=" + chunks[1].file.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        XCTAssertEqual(try hashes(one, "v"), try hashes(chunks[1].file, "v"), "the playlist of one recording")
        let text = try LoopbackHTTP.get(port: server.httpPort, target: "/playlist.m3u8?localStreamName=cam1").body
        XCTAssertTrue(text.hasPrefix("#EXTM3U\n") && text.hasSuffix("#EXT-X-ENDLIST\n"), text)
        XCTAssertEqual(text.components(separatedBy: "#EXTINF:").count - 1, chunks.count, "a segment per chunk")
    }

    func testRangeHeadAndRefusalsOverHTTP() throws {
        let (server, chunks) = try recording()
        let export = url(server, "/export?localStreamName=cam1&start=\(chunks[0].start + 0.5)&end=\(chunks[1].start + 1.5)")
        let dir = TestPaths.temporaryDirectory("export-range")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let whole = try ExternalTool.run("curl", ["-sS", "-D", dir + "/head", "-o", dir + "/whole.mp4", export])
        XCTAssertEqual(whole.status, 0, whole.stderr)
        let body = try Data(contentsOf: URL(fileURLWithPath: dir + "/whole.mp4"))
        let head = try String(contentsOfFile: dir + "/head", encoding: .utf8)
        XCTAssertTrue(head.contains("Content-Length: \(body.count)\r\n"), "the length is known up front: \(head)")
        XCTAssertTrue(head.contains("Content-Type: video/mp4"), head)
        let headOnly = try ExternalTool.run("curl", ["-sS", "-I", export])
        XCTAssertTrue(headOnly.stdout.contains("Content-Length: \(body.count)\r\n"), headOnly.stdout)
        let part = try ExternalTool.run("curl", ["-sS", "-r", "1000-1999", "-D", dir + "/parthead", "-o", dir + "/part", export])
        XCTAssertEqual(part.status, 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/part")), body[1000..<2000], "the same bytes as the whole body")
        XCTAssertTrue(try String(contentsOfFile: dir + "/parthead", encoding: .utf8).contains("206 Partial Content"))
        let past = try ExternalTool.run("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-r", "\(body.count)-", export])
        XCTAssertEqual(past.stdout, "416")
        // The moov comes first (fast start): a player can start before the end arrives.
        XCTAssertEqual(String(decoding: body[4..<8], as: UTF8.self), "ftyp")
        XCTAssertNotNil(body.range(of: Data("moov".utf8)).map { $0.lowerBound < body.range(of: Data("mdat".utf8))!.lowerBound }, "moov before mdat")

        let media = url(server, "/media?file=" + chunks[0].file.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        XCTAssertEqual(try hashes(media, "v"), try hashes(chunks[0].file, "v"), "/media serves the recording")
        for (target, code) in [("/media?file=..%2F..%2F..%2Fetc%2Fpasswd", "403"), ("/media?file=%2Fetc%2Fpasswd", "403"),
                               ("/export?localStreamName=nobody", "404"), ("/export?localStreamName=cam1&start=5&end=1", "404"),
                               ("/export?localStreamName=cam1&start=x", "400")] {
            let answer = try ExternalTool.run("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", url(server, target)])
            XCTAssertEqual(answer.stdout, code, target)
        }
    }

    func testChunksOfDifferentCodecParametersGetTheirOwnSampleDescriptions() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("concat-params")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Two chunks as a camera that changed resolution would leave: other SPS/PPS.
        for (name, size) in [("a", "320x240"), ("b", "160x120")] {
            let made = try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=25", "-t", "2",
                                                       "-c:v", "libx264", "-preset", "veryfast", "-g", "25", "-pix_fmt", "yuv420p", "\(dir)/\(name).mp4"])
            XCTAssertEqual(made.status, 0, made.stderr)
        }
        let inputs = [dir + "/a.mp4", dir + "/b.mp4"]
        let run = try ExternalTool.run(TestPaths.executable("mp4writer"), ["--concat", "-o", dir + "/ab.mp4"] + inputs)
        XCTAssertEqual(run.status, 0, run.stderr)
        let track = try MP4Reader(path: dir + "/ab.mp4").tracks[0]
        XCTAssertEqual(track.sampleDescriptions.map(\.width), [320, 160], "one sample description per configuration")
        XCTAssertEqual(Set(track.samples.prefix(50).map(\.sampleDescriptionIndex)), [1])
        XCTAssertEqual(Set(track.samples.dropFirst(50).map(\.sampleDescriptionIndex)), [2])
        XCTAssertEqual(try FFmpegCheck.complaints(dir + "/ab.mp4"), "", "ffmpeg decodes across the change silently")
        XCTAssertEqual(try hashes(dir + "/ab.mp4", "v", copy: true), try sourceHashes(inputs, "v", copy: true), "every packet, in order")
    }

    func testAGapIsRefusedByNameAndConcatWritesTheSameFrames() throws {
        let (_, chunks) = try recording()
        // The same chunks as if the second had been recorded 10 s late.
        let spaced = [ExportSource(path: chunks[0].file, startTime: 1000), ExportSource(path: chunks[1].file, startTime: 1012)]
        XCTAssertThrowsError(try ChunkConcatenation.export(spaced)) { error in
            guard case .gap(let after, let from, let to)? = error as? ExportError else { return XCTFail("\(error)") }
            XCTAssertEqual(after, chunks[0].file)
            XCTAssertEqual(to, 1012)
            XCTAssertGreaterThan(from, 1001.9)
            XCTAssertTrue("\(error)".contains("gap from"), "\(error)")
        }

        let dir = TestPaths.temporaryDirectory("concat")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = chunks.map(\.file)
        let run = try ExternalTool.run(TestPaths.executable("mp4writer"), ["--concat", "-o", dir + "/all.mp4"] + files)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try FFmpegCheck.complaints(dir + "/all.mp4"), "")
        XCTAssertEqual(try hashes(dir + "/all.mp4", "v"), try sourceHashes(files, "v", copy: false))
        let cut = try ExternalTool.run(TestPaths.executable("mp4writer"), ["--concat", "-o", dir + "/cut.mp4", "--from", "1.5", "--to", "3.5"] + files)
        XCTAssertEqual(cut.status, 0, cut.stderr)
        XCTAssertEqual(try FFmpegCheck.complaints(dir + "/cut.mp4"), "")
        let shown = try hashes(dir + "/cut.mp4", "v")
        XCTAssertEqual(Double(shown.count), 50, accuracy: 3)
        _ = assertContiguousRun(shown, of: try sourceHashes(files, "v", copy: false), "--from/--to")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/cut.mp4.partial"))
    }
}
