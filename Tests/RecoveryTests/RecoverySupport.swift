import XCTest
import Foundation
import ISOBMFF
import MediaCore
import MP4Finalizer
import Recorder
import StagingWriter
import TestSupport

/// The set every recovery test damages: the staging set of `h264_aac.mp4` (H.264 with
/// B-frames, 75 samples; AAC with a priming frame, 142 samples), made once per run, and what
/// is known about it independently of the finalizer: every record, every payload, and the
/// source's decoded frame hashes.
final class SourceSet: @unchecked Sendable {
    static let fixture = TestPaths.fixture("mp4/h264_aac.mp4")
    static let shared = SourceSet()

    /// The pristine set (never modified: tests copy it).
    let output: String
    /// Records of each track in decode order.
    let records: [UInt32: [StagingRecord]]
    /// Units before the first sample in each track file (the sample-description units).
    let descriptionUnits: [UInt32: Int]
    let mdatSize: Int
    /// The pristine .mdat (146 KB).
    let mdat: [UInt8]
    private var hashCache: [String: [String]] = [:]
    private let lock = NSLock()

    private init() {
        let dir = TestPaths.temporaryDirectory("recovery-source")
        output = dir + "/rec.mp4"
        do {
            try MP4FileSource(path: Self.fixture).writeStagingSet(output: output)
            let set = try StagingSet(output: output)
            let validation = try set.validate(verifyPayloads: true)
            precondition(validation.isClean, "the source set must be clean: \(validation.damageSummary)")
            var records: [UInt32: [StagingRecord]] = [:]
            var units: [UInt32: Int] = [:]
            for track in validation.tracks {
                try set.forEachKeptSample(of: track) { records[track.trackID, default: []].append($0) }
            }
            for reader in set.tracks {
                var first: Int?
                try reader.scan { unit in
                    if case let .sample(index, _) = unit, first == nil { first = index }
                }
                units[reader.header.trackID] = first
            }
            self.records = records
            self.descriptionUnits = units
            mdatSize = Int(set.mdatSize)
            mdat = try FileSystem.readFile(output + ".mdat")
        } catch {
            fatalError("cannot make the source staging set: \(error)")
        }
    }

    var trackIDs: [UInt32] { records.keys.sorted() }
    /// Track 1 is the video (H.264 with B-frames, GOP 25), track 2 the audio.
    var videoTrack: UInt32 { 1 }

    /// Payload bytes of sample `index` of `track`, read from the pristine set.
    func payload(track: UInt32, index: Int) -> ArraySlice<UInt8> {
        let record = records[track]![index]
        return mdat[Int(record.offset)..<Int(record.end)]
    }

    /// Copies the pristine set into `directory` as `name` and returns the new output path.
    func copy(to directory: String, name: String = "rec.mp4") throws -> String {
        let target = directory + "/" + name
        for suffix in [".info", ".mdat"] + trackIDs.map({ ".track\($0)" }) {
            try FileManager.default.copyItem(atPath: output + suffix, toPath: target + suffix)
        }
        return target
    }

    /// Samples per track that survive truncating .mdat to `length` bytes: those whose payload
    /// lies wholly before the cut (.mdat is in arrival order, so each is a decode-order prefix).
    func keptAfterTruncatingMdat(to length: Int) -> [UInt32: Int] {
        records.mapValues { $0.filter { $0.end <= UInt64(length) }.count }
    }

    /// Samples of `track` that survive truncating its track file to `length` bytes: whole
    /// units after the description units (a torn unit is lost, and so is everything after).
    func keptAfterTruncatingTrack(_ track: UInt32, to length: Int) -> Int {
        guard length >= StagingFormat.trackHeaderSize else { return 0 }
        let units = (length - StagingFormat.trackHeaderSize) / StagingFormat.unitSize
        return max(0, min(records[track]!.count, units - descriptionUnits[track]!))
    }

    /// The fixture's decoded frames of one stream ("v" or "a"), cached.
    func sourceHashes(_ stream: String) throws -> [String] {
        lock.lock()
        defer { lock.unlock() }
        if let cached = hashCache[stream] { return cached }
        let hashes = try FFmpegCheck.frameHashes(Self.fixture, stream: stream)
        hashCache[stream] = hashes
        return hashes
    }

    /// The framemd5 lines a file holding the first `kept` samples (decode order) of `track`
    /// must decode to: the source's lines of exactly those samples, in presentation order.
    ///
    /// With B-frames a decode-order prefix is not a presentation-order prefix (a P-frame is
    /// stored before the B-frames shown ahead of it), but every kept frame is decodable, since
    /// its references come before it in decode order; ffmpeg prints one line per presented
    /// frame, sorted by pts. The source's line for a sample is found by the rank of its pts
    /// among the presented samples (pts >= 0: AAC priming is decoded but not shown).
    func expectedHashes(track: UInt32, kept: Int) throws -> [String] {
        let source = try sourceHashes(track == videoTrack ? "v" : "a")
        let all = records[track]!
        let presented = all.map(\.pts).filter { $0 >= 0 }.sorted()
        precondition(presented.count == source.count, "the oracle must see one source line per presented sample")
        let rank = Dictionary(uniqueKeysWithValues: presented.enumerated().map { ($1, $0) })
        return all.prefix(kept).map(\.pts).filter { $0 >= 0 }.sorted().map { source[rank[$0]!] }
    }
}

/// Running mp4writer as an operator would, and reading what it says.
enum MP4Writer {
    static var path: String { TestPaths.executable("mp4writer") }

    static func run(_ arguments: [String]) throws -> ExternalTool.Output {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw XCTSkip("mp4writer not built at \(path): swift build --build-tests first")
        }
        return try ExternalTool.run(path, arguments)
    }

    /// `mp4writer -path=OUTPUT --json ARGS`, decoding the report when there is one.
    static func finalize(_ output: String, _ arguments: [String] = []) throws -> (status: Int32, report: FinalizeReport?, stderr: String) {
        let result = try run(["-path=\(output)", "--json", "--quiet"] + arguments)
        let report = try? JSONDecoder().decode(FinalizeReport.self, from: result.stdoutData)
        return (result.status, report, result.stderr)
    }

    static func batch(_ directory: String, _ arguments: [String] = []) throws -> (status: Int32, report: BatchReport?, stdout: String, stderr: String) {
        let result = try run(["--batch", directory, "--json"] + arguments)
        let report = try? JSONDecoder().decode(BatchReport.self, from: result.stdoutData)
        return (result.status, report, result.stdout, result.stderr)
    }
}

/// Checks of a recovered MP4 by our own reader: which samples it holds, byte for byte, and
/// that its timeline claims no more than its media.
enum StructureCheck {
    /// Asserts that `path` holds exactly the first `kept[track]` samples of each source track
    /// (tracks with 0 absent), with the source's payloads, timing and sync flags.
    static func assertHolds(_ path: String, kept: [UInt32: Int], source: SourceSet = .shared,
                            _ context: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line) throws {
        let reader: MP4Reader
        do {
            reader = try MP4Reader(bytes: try FileSystem.readFile(path))
        } catch {
            return XCTFail("\(context()): our reader rejects the output: \(error)", file: file, line: line)
        }
        let expectedTracks = kept.filter { $0.value > 0 }.keys.sorted()
        XCTAssertEqual(reader.tracks.map(\.trackID), expectedTracks, "\(context()): tracks", file: file, line: line)
        for track in reader.tracks {
            let records = source.records[track.trackID]!
            let count = kept[track.trackID] ?? 0
            guard track.samples.count == count else {
                XCTFail("\(context()): track \(track.trackID) holds \(track.samples.count) samples, expected \(count)", file: file, line: line)
                continue
            }
            let base = records[0].dts
            for (i, sample) in track.samples.enumerated() {
                let record = records[i]
                guard sample.size == record.size, sample.dts == record.dts - base,
                      sample.compositionOffset == record.compositionOffset, sample.isSync == record.isSync,
                      try reader.readSamplePayload(sample)[...] == source.payload(track: track.trackID, index: i) else {
                    XCTFail("\(context()): track \(track.trackID) sample \(i) differs from the source", file: file, line: line)
                    break
                }
            }
            assertTimelineWithinMedia(track, movieTimescale: reader.movieHeader.times.timescale, context(), file: file, line: line)
        }
        // The movie lasts as long as its longest track, not as long as the recording was meant to.
        let longest = reader.tracks.map { presentedLength(of: $0, in: reader.movieHeader.times.timescale) }.max() ?? 0
        XCTAssertLessThanOrEqual(reader.movieHeader.times.duration, longest + 1, "\(context()): mvhd duration", file: file, line: line)
    }

    /// Media edits must not run past the last sample's end (1 movie tick of rounding).
    static func assertTimelineWithinMedia(_ track: MP4Track, movieTimescale: UInt32, _ context: @autoclosure () -> String,
                                          file: StaticString = #filePath, line: UInt = #line) {
        let end = track.samples.map { $0.mediaPTS + Int64($0.duration) }.max() ?? 0
        for edit in track.editList where edit.mediaTime >= 0 {
            let editEnd = edit.mediaTime + Int64(edit.segmentDuration) * Int64(track.timescale) / Int64(movieTimescale)
            XCTAssertLessThanOrEqual(editEnd, end + Int64(track.timescale / movieTimescale) + 1,
                                     "\(context()): track \(track.trackID)'s edit ends past its media", file: file, line: line)
        }
    }

    /// How long a track can present, in the movie timescale: its empty edits (a late start)
    /// plus its media from the start of the media edit to the end of the last sample.
    static func presentedLength(of track: MP4Track, in movieTimescale: UInt32) -> UInt64 {
        let end = track.samples.map { $0.mediaPTS + Int64($0.duration) }.max() ?? 0
        let empty = track.editList.filter { $0.mediaTime < 0 }.reduce(UInt64(0)) { $0 + $1.segmentDuration }
        let start = track.editList.first { $0.mediaTime >= 0 }?.mediaTime ?? 0
        return empty + UInt64(max(0, end - start)) * UInt64(movieTimescale) / UInt64(track.timescale) + 1
    }
}

/// What ffprobe/ffmpeg say about a recovered MP4: nothing at -v error, and the frames of the
/// samples it holds.
enum InteropCheck {
    static func assertDecodesToSource(_ path: String, kept: [UInt32: Int], source: SourceSet = .shared,
                                      _ context: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line) throws {
        let tracks = source.trackIDs.filter { (kept[$0] ?? 0) > 0 }
        let streams = tracks.map { $0 == source.videoTrack ? "v" : "a" }
        let decoded = try decode(path, streams: streams)
        XCTAssertEqual(decoded.complaints, "", "\(context()): ffprobe/ffmpeg complain", file: file, line: line)
        for (track, stream) in zip(tracks, streams) {
            let expected = try source.expectedHashes(track: track, kept: kept[track]!)
            XCTAssertEqual(decoded.hashes[stream] ?? [], expected, "\(context()): decoded frames of track \(track)", file: file, line: line)
        }
    }

    /// `FFmpegCheck.complaints` and `FFmpegCheck.frameHashes` of every stream, with one ffprobe
    /// and one ffmpeg run instead of one per check (the decode is the same).
    static func decode(_ path: String, streams: [String]) throws -> (complaints: String, hashes: [String: [String]]) {
        let probe = try ExternalTool.run("ffprobe", ["-v", "error", "-show_format", "-show_streams", path])
        let outputs = streams.map { path + ".\($0).framemd5" }
        defer { outputs.forEach { try? FileManager.default.removeItem(atPath: $0) } }
        var arguments = ["-nostdin", "-v", "error", "-i", path]
        for (stream, output) in zip(streams, outputs) { arguments += ["-map", "0:\(stream):0", "-f", "framemd5", "-y", output] }
        let decode = try ExternalTool.run("ffmpeg", arguments)
        var complaints = probe.stderr + decode.stderr
        if probe.status != 0 { complaints += "ffprobe exited \(probe.status)\n" }
        if decode.status != 0 { complaints += "ffmpeg exited \(decode.status)\n" }
        var hashes: [String: [String]] = [:]
        for (stream, output) in zip(streams, outputs) {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            hashes[stream] = text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
        }
        return (complaints, hashes)
    }
}

/// A folder for many quick trials: tmpfs when there is one (fsync costs nothing there; these
/// trials check content, the crash tests check durability on the real disk).
func scratchDirectory(_ label: String) -> String {
    if FileSystem.isDirectory("/dev/shm"), access("/dev/shm", W_OK) == 0 {
        let path = "/dev/shm/sr-\(label)-\(UUID().uuidString.prefix(8))"
        if (try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)) != nil { return path }
    }
    return TestPaths.temporaryDirectory(label)
}

/// Writes `bytes` as the whole content of `path`.
func overwrite(_ path: String, with bytes: ArraySlice<UInt8>) throws {
    let fd = try FileDescriptor.open(path, [.writeOnly, .create, .truncate])
    defer { try? fd.close() }
    try fd.writeAll(Array(bytes))
}

