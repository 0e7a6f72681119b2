import Containers
import Foundation
import ISOBMFF
import MediaCore
import Recorder
import TestSupport
import XCTest

/// Timestamps that wrap: MPEG-TS's 33-bit 90 kHz clock (every 26.5 hours) and FLV/RTMP's
/// 32-bit millisecond clock (every 49.7 days). Streams are made in the test from the frames of
/// `mp4/h264_aac.mp4` (3 s, H.264 with B-frames at 25 fps + AAC), repeated end to end at their
/// normal cadence, and recorded faster than real time with `OneShotRecording` (the path of
/// `recorder record`). What must hold: the recording is continuous and monotonic across the
/// wrap: every frame written is recorded once, at its own time relative to the first.
///
/// Covered: (1) 24 s at full cadence crossing the 33-bit wrap 10 s in; (2) more than 27 hours
/// of 90 kHz time: 30 three-second segments at full cadence, each 56 minutes after the
/// previous (a jump of the source clock, as after a long outage), with the wrap inside a
/// segment (the recorder closes those jumps: the recording is the segments end to end); (3) 24 s of FLV crossing the 32-bit millisecond wrap 10 s in, read by FLVReader;
/// (4) the same tags through FLVTagDemuxer with a 32-bit TimestampUnwrapper (the RTMP path).
final class LongStreamTests: XCTestCase {
    static let fixture = TestPaths.fixture("mp4/h264_aac.mp4")
    static let wrap33: Int64 = 1 << 33
    static let wrap32: Int64 = 1 << 32

    /// The fixture's frames in stored (interleaved) order and each track's length in its timescale.
    struct Source {
        let tracks: [TrackDescription]
        let frames: [MediaFrame]
        let loopDuration: [UInt32: Int64]
        let videoID: UInt32

        init() throws {
            let reader = try MP4Reader(path: LongStreamTests.fixture)
            tracks = reader.tracks.map(\.trackDescription)
            frames = try reader.frames()
            loopDuration = Dictionary(uniqueKeysWithValues: reader.tracks.map { ($0.trackID, $0.samples.reduce(0) { $0 + Int64($1.duration) }) })
            videoID = reader.tracks.first { $0.kind == .video }!.trackID
        }

        func timescale(_ id: UInt32) -> Int64 { Int64(tracks.first { $0.trackID == id }!.timescale) }

        /// `segments` copies one after another, segment k starting `gapSeconds * k` later
        /// than a continuous loop would (0: a plain continuous stream).
        func stream(segments: Int, gapSeconds: Int64 = 0) -> [MediaFrame] {
            var out: [MediaFrame] = []
            for k in 0..<segments {
                for var frame in frames {
                    let shift = Int64(k) * loopDuration[frame.trackID]! + Int64(k) * gapSeconds * timescale(frame.trackID)
                    frame.dts += shift
                    frame.pts += shift
                    out.append(frame)
                }
            }
            return out
        }
    }

    private func record(_ input: String, dir: String) throws -> (path: String, outcome: OneShotRecording.Outcome) {
        let parameters = RecordParameters(localStreamName: "long", pathToFile: dir + "/out")
        var recording = OneShotRecording(parameters: parameters, resolvedPath: dir + "/out", input: .file(input))
        recording.mp4writerPath = TestPaths.executable("mp4writer")
        let outcome = try recording.run()
        XCTAssertEqual(outcome.errors, [])
        XCTAssertEqual(outcome.finalized.count, 1, "one file: \(outcome.finalized)")
        return (dir + "/out.mp4", outcome)
    }

    /// The recorded video's decode times equal the written ones, relative to the first, to
    /// the tick of the recording's timescale; the count is equal; ffprobe sees strictly
    /// increasing packet times in both streams and the file decodes silently.
    private func assertContinuous(_ output: String, written: [MediaFrame], source: Source, label: String,
                                  decode: Bool = true) throws {
        let recorded = try MP4Reader(path: output)
        let video = try XCTUnwrap(recorded.tracks.first { $0.kind == .video }, label)
        let writtenVideo = written.filter { $0.trackID == source.videoID }
        XCTAssertEqual(video.samples.count, writtenVideo.count, "\(label): video frames recorded once each")
        let scale = Double(source.timescale(source.videoID))
        let expected = writtenVideo.map { Double($0.dts - writtenVideo[0].dts) / scale }
        let got = video.samples.map { Double($0.dts - video.samples[0].dts) / Double(video.timescale) }
        let tolerance = 1.5 / Double(video.timescale) + 1.0 / scale
        let firstBad = zip(expected, got).enumerated().first { abs($0.element.0 - $0.element.1) > tolerance }
        XCTAssertNil(firstBad, "\(label): video frame \(firstBad?.offset ?? -1) at \(firstBad?.element.1 ?? 0) s, written at \(firstBad?.element.0 ?? 0) s")
        let audio = recorded.tracks.first { $0.kind == .audio }
        let writtenAudio = written.count - writtenVideo.count
        // Audio presented before the opening keyframe is not recorded (docs/recording.md).
        XCTAssertEqual(Double(audio?.samples.count ?? 0), Double(writtenAudio), accuracy: 3, "\(label): audio frames")
        for stream in ["v", "a"] {
            let bad = Probe.nonIncreasing(try Probe.packetDTS(output, stream: stream))
            XCTAssertEqual(bad, [], "\(label): \(stream) packet dts not strictly increasing")
        }
        if decode { XCTAssertEqual(try FFmpegCheck.complaints(output), "", label) }
        Reliability.report(String(format: "long stream %@: %d video + %d audio frames, %.3f s of timeline recorded continuously",
                                  label, video.samples.count, audio?.samples.count ?? 0, got.last ?? 0))
    }

    private func writeTS(_ frames: [MediaFrame], tracks: [TrackDescription], startTime: Int64, to path: String) throws {
        var writer = try TSWriter(tracks: tracks, startTime: startTime)
        var bytes: [UInt8] = []
        for frame in frames { bytes += try writer.write(frame) }
        try FileSystem.writeAtomically(bytes, to: path)
    }

    func testTSAcrossThe33BitWrapAtFullCadence() throws {
        try FFmpegCheck.require()
        let source = try Source()
        let dir = TestPaths.temporaryDirectory("wrap33")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let frames = source.stream(segments: 8)   // 24 s
        try writeTS(frames, tracks: source.tracks, startTime: Self.wrap33 - 10 * 90_000, to: dir + "/in.ts")
        let (output, _) = try record(dir + "/in.ts", dir: dir)
        try assertContinuous(output, written: frames, source: source, label: "TS 33-bit wrap at 10 s of 24 s")
    }

    func testTSOver27HoursWithJumpsAndTheWrapInsideASegment() throws {
        try FFmpegCheck.require()
        let source = try Source()
        let dir = TestPaths.temporaryDirectory("wrap33long")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let gap: Int64 = 56 * 60 - 3   // segment k starts 56 minutes after segment k-1
        let frames = source.stream(segments: 30, gapSeconds: gap)
        // Segment 28 starts 1.5 s before the 2^33 wrap: the wrap falls inside it.
        let start = Self.wrap33 - (28 * 56 * 60 * 90_000 + 135_000)
        XCTAssertGreaterThan(start, 0)
        try writeTS(frames, tracks: source.tracks, startTime: start, to: dir + "/in.ts")
        let (output, outcome) = try record(dir + "/in.ts", dir: dir)
        // A forward jump past 5 s is closed (docs/recording.md, timestamp discontinuities): each
        // track goes on one frame after its last, so the recording is the segments end to end,
        // every frame once, and each of the 29 jumps is reported.
        try assertContinuous(output, written: source.stream(segments: 30), source: source, label: "TS 27.1 h with 56 min jumps")
        XCTAssertEqual(Set(outcome.discontinuities.map(\.cause.rawValue)), ["forward"], "\(outcome.discontinuities)")
        XCTAssertGreaterThanOrEqual(outcome.discontinuities.count, 29, "a jump per segment boundary (per track)")
        let span = Double(frames.last!.dts - frames[0].dts) / Double(source.timescale(frames[0].trackID))
        XCTAssertGreaterThan(span, 27 * 3600, "more than 27 hours of timestamps")
    }

    /// FLV tags for `frames`, their timestamps moved by `offset` ms and cut to 32 bits.
    private func flvTags(_ frames: [MediaFrame], tracks: [TrackDescription], offset: Int64) throws -> [FLVTag] {
        var muxer = try FLVTagMuxer(tracks: tracks)
        var tags: [FLVTag] = []
        for frame in frames {
            for var tag in try muxer.tags(for: frame) {
                tag.timestamp = UInt32(truncatingIfNeeded: Int64(tag.timestamp) + offset)
                tags.append(tag)
            }
        }
        return tags
    }

    func testFLVAcrossThe32BitMillisecondWrap() throws {
        try FFmpegCheck.require()
        let source = try Source()
        let dir = TestPaths.temporaryDirectory("wrap32")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let frames = source.stream(segments: 8)
        let tags = try flvTags(frames, tracks: source.tracks, offset: Self.wrap32 - 10_000)
        XCTAssertTrue(zip(tags, tags.dropFirst()).contains { Int64($0.timestamp) > Int64($1.timestamp) + 1_000_000 }, "the tags wrap")
        var writer = ByteWriter()
        writer.write(bytes: FLVHeader(hasAudio: true, hasVideo: true).serialized())
        writer.write(UInt32(0))
        for tag in tags { try tag.write(to: &writer) }
        try FileSystem.writeAtomically(writer.bytes, to: dir + "/in.flv")
        let (output, _) = try record(dir + "/in.flv", dir: dir)
        try assertContinuous(output, written: frames, source: source, label: "FLV 32-bit ms wrap at 10 s of 24 s")
    }

    func testFLVTagDemuxerWithA32BitUnwrapperIsMonotonicAcrossTheWrap() throws {
        let source = try Source()
        let frames = source.stream(segments: 8)
        let tags = try flvTags(frames, tracks: source.tracks, offset: Self.wrap32 - 10_000)
        var demuxer = FLVTagDemuxer()
        var unwrapper = TimestampUnwrapper(bits: 32)
        var dts: [UInt32: [Int64]] = [:]
        for tag in tags {
            let time = unwrapper.unwrap(UInt64(tag.timestamp))
            for case let .frame(frame) in try demuxer.demux(tag.kind, timestamp: time, body: tag.body) {
                dts[frame.trackID, default: []].append(frame.dts)
            }
        }
        for (id, times) in dts {
            let expected = frames.filter { $0.trackID == id }.map {
                TimescaleConversion.rescale($0.dts, from: UInt32(source.timescale(id)), to: 1000)
            }
            XCTAssertEqual(times.count, expected.count, "track \(id)")
            let relative = times.map { $0 - times[0] }, expectedRelative = expected.map { $0 - expected[0] }
            XCTAssertEqual(relative, expectedRelative, "track \(id): unwrapped times follow the source across the wrap")
            XCTAssertGreaterThan(times.last!, Self.wrap32, "track \(id) crossed 2^32 ms")
        }
    }
}
