import XCTest
import ISOBMFF
import MediaCore
import MP4Finalizer
import Recorder
import StagingWriter
import SyntheticMedia
import TestSupport

/// The moov our finalizer plans, read back with our MP4 reader: tables present only when
/// needed, and every sample found at the exact bytes it was recorded with.
final class MoovStructureTests: XCTestCase {
    private func finalize(_ output: String, options: FinalizeOptions = FinalizeOptions()) throws -> FinalizeReport {
        try Finalizer(options: options).finalize(output: output)
    }

    private func stbl(_ path: String, track: Int) throws -> BoxNode {
        let trak = try XCTUnwrap(BoxTree(path: path).first("moov")?.children(ofType: "trak")[track])
        return try XCTUnwrap(trak.descendant("mdia", "minf", "stbl"))
    }

    /// Random sizes and interleavings, with gaps in .mdat (bytes of a dropped sample): every
    /// sample of the output must point at its own recorded bytes.
    func testEverySampleIsFoundAtItsRecordedBytes() throws {
        var rng = SystemRandomNumberGenerator()
        let output = TestPaths.temporaryDirectory("chunks") + "/c.mp4"
        let writer = try StagingWriter(output: output)
        try writer.addTrack(SyntheticSource.trackDescription)
        try writer.addTrack(TrackDescription(trackID: 2, timescale: 48_000, sampleDescriptions: [
            SampleDescription(codec: .aac, configuration: [0x11, 0x90], sampleRate: 48_000, channelCount: 2)]))
        let source = SyntheticSource(sampleCount: 5000, averageSize: 300)
        var expected: [UInt32: [[UInt8]]] = [1: [], 2: []]
        var videoIndex = 0, audioIndex = 0
        while videoIndex < 600 {
            // Bursts of one track, then the other, of random lengths: chunks of varying size.
            for _ in 0..<Int.random(in: 1...4, using: &rng) where videoIndex < 600 {
                let frame = source.frame(videoIndex)
                try writer.append(frame)
                expected[1]!.append(Array(frame.payload))
                videoIndex += 1
            }
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                let payload = source.payload(10_000 + audioIndex)
                try writer.append(MediaFrame(trackID: 2, dts: Int64(audioIndex) * 1024, pts: Int64(audioIndex) * 1024,
                                             isKeyframe: true, payload: payload))
                expected[2]!.append(payload)
                audioIndex += 1
            }
        }
        try writer.close()
        _ = try finalize(output)
        let reader = try MP4Reader(path: output)
        for track in reader.tracks {
            let payloads = try track.samples.map { try reader.readSamplePayload($0) }
            XCTAssertEqual(payloads, expected[track.trackID], "track \(track.trackID)")
        }
    }

    func testTablesArePresentOnlyWhenNeeded() throws {
        let dir = TestPaths.temporaryDirectory("tables")
        // Audio of constant-size frames, all sync, no composition offsets.
        let audioOnly = dir + "/a.mp4"
        let writer = try StagingWriter(output: audioOnly)
        try writer.addTrack(TrackDescription(trackID: 1, timescale: 48_000, sampleDescriptions: [
            SampleDescription(codec: .aac, configuration: [0x11, 0x90], sampleRate: 48_000, channelCount: 2)]))
        for i in 0..<100 {
            try writer.append(MediaFrame(trackID: 1, dts: Int64(i) * 1024, pts: Int64(i) * 1024, isKeyframe: true,
                                         payload: [UInt8](repeating: UInt8(i), count: 200)))
        }
        try writer.close()
        _ = try finalize(audioOnly)
        let audio = try stbl(audioOnly, track: 0)
        XCTAssertNil(audio.child("ctts"), "no composition offsets: no ctts")
        XCTAssertNil(audio.child("stss"), "all sync: no stss")
        let stsz = try XCTUnwrap(audio.child("stsz")).decode(SampleSizeBox.self)
        XCTAssertEqual(stsz.sizes, .constant(size: 200, sampleCount: 100))
        let stts = try XCTUnwrap(audio.child("stts")).decode(TimeToSampleBox.self)
        XCTAssertEqual(stts.entries.count, 1, "one run of 1024-tick samples")

        // Video with B-frames: ctts and stss.
        let video = dir + "/v.mp4"
        try MP4FileSource(path: TestPaths.fixture("mp4/h264_only.mp4")).writeStagingSet(output: video)
        _ = try finalize(video)
        let v = try stbl(video, track: 0)
        XCTAssertNotNil(v.child("ctts"))
        let stss = try XCTUnwrap(v.child("stss")).decode(SyncSampleBox.self)
        XCTAssertEqual(stss.entries, [1, 26, 51], "GOP of 25")
    }

    /// A track that starts later than the others keeps its place through an empty edit, and
    /// ffprobe reports its start time.
    func testALateTrackStartsLaterInTheFile() throws {
        let video = try MP4FileSource(path: TestPaths.fixture("mp4/h264_only.mp4"))
        let audio = try MP4FileSource(path: TestPaths.fixture("mp4/aac_only.mp4"))
        let output = TestPaths.temporaryDirectory("late") + "/late.mp4"
        let writer = try StagingWriter(output: output)
        try writer.addTrack(video.tracks[0])
        var audioTrack = audio.tracks[0]
        audioTrack.trackID = 2
        try writer.addTrack(audioTrack)
        let delay = Int64(audioTrack.timescale) / 2  // 0.5 s
        var frames = try video.reader.frames().map { ($0, Double($0.dts) / Double(video.tracks[0].timescale)) }
        frames += try audio.reader.frames().map { frame -> (MediaFrame, Double) in
            var f = frame
            f.trackID = 2
            f.dts += delay
            f.pts += delay
            return (f, Double(f.dts) / Double(audioTrack.timescale))
        }
        for (frame, _) in frames.sorted(by: { $0.1 < $1.1 }) { try writer.append(frame) }
        try writer.close()
        _ = try finalize(output)

        let trak = try XCTUnwrap(BoxTree(path: output).first("moov")?.children(ofType: "trak")[1])
        let elst = try XCTUnwrap(trak.descendant("edts", "elst")).decode(EditListBox.self)
        XCTAssertEqual(elst.entries.first?.mediaTime, -1, "an empty edit first")
        // The audio's first frame (encoder priming, pre-roll in the source) now starts at
        // 0.5 s - 1024 ticks: that is where the track starts presenting.
        let firstAudioPTS = try audio.reader.frames()[0].pts + delay
        XCTAssertEqual(elst.entries.first?.segmentDuration, UInt64((firstAudioPTS * 1000 + 24_000) / 48_000), "in the movie timescale")

        try FFmpegCheck.require()
        XCTAssertEqual(try FFmpegCheck.complaints(output), "")
        let streams = try FFmpegCheck.streams(output)
        XCTAssertEqual(streams[0].startTime, 0, accuracy: 0.001)
        XCTAssertEqual(streams[1].startTime, Double(firstAudioPTS) / 48_000, accuracy: 0.001, "audio starts about half a second in")
    }
}
