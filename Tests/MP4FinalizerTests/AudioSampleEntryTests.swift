import Foundation
import XCTest
import ISOBMFF
import MediaCore
import MP4Finalizer
import StagingWriter
import TestSupport

/// MP3, AC-3, E-AC-3, Opus and G.711 frames staged and finalized into an MP4: ffprobe names
/// the codec, rate and channels of the source, both ffmpegs (Debian 5.1, ffmpeg 9) read back
/// the very packets that were recorded, and our reader finds the same description.
final class AudioSampleEntryTests: XCTestCase {
    private func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestPaths.fixture("audio/" + name))))
    }

    /// Stages `frames` (one track, timescale = sample rate, each frame as long as its
    /// bitstream says), finalizes, and checks the MP4 against `source`'s packets.
    private func record(_ frames: [[UInt8]], description: SampleDescription, source: String,
                        expectedCodec: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let output = TestPaths.temporaryDirectory("audio-entry") + "/a.mp4"
        let writer = try StagingWriter(output: output)
        try writer.addTrack(TrackDescription(trackID: 1, timescale: description.sampleRate, sampleDescriptions: [description]))
        var dts: Int64 = 0
        for frame in frames {
            try writer.append(MediaFrame(trackID: 1, dts: dts, pts: dts, isKeyframe: true, payload: frame))
            dts += Int64(try XCTUnwrap(try description.samplesPerFrame(frame)))
        }
        try writer.close()
        _ = try Finalizer(options: FinalizeOptions()).finalize(output: output)

        XCTAssertEqual(try FFmpegCheck.complaints(output), "", file: file, line: line)
        let probe = try ExternalTool.run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,sample_rate,channels",
                                                     "-of", "csv=p=0", output])
        // ffprobe prints an empty field after some codecs' entries: compare the three asked for.
        let fields = probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",", omittingEmptySubsequences: false)
        XCTAssertEqual(fields.prefix(3).joined(separator: ","),
                       "\(expectedCodec),\(description.sampleRate),\(description.channelCount)", file: file, line: line)
        let reader = try MP4Reader(path: output)
        XCTAssertEqual(reader.tracks.first?.sampleDescriptions, [description], file: file, line: line)
        XCTAssertEqual(try reader.tracks[0].samples.map { try reader.readSamplePayload($0) }, frames, file: file, line: line)
        XCTAssertEqual(reader.tracks[0].timescale, description.sampleRate, file: file, line: line)
        return output
    }

    private func assertSamePackets(_ output: String, _ source: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let modern = try ModernFFmpeg.require()
        for ffmpeg in ["ffmpeg", modern] {
            let expected = try FFmpegCheck.packetHashes(source, stream: "a", ffmpeg: ffmpeg)
            XCTAssertFalse(expected.isEmpty, file: file, line: line)
            XCTAssertEqual(try FFmpegCheck.packetHashes(output, stream: "a", ffmpeg: ffmpeg), expected,
                           "packets read by \(ffmpeg)", file: file, line: line)
        }
    }

    func testMP3() throws {
        try FFmpegCheck.require()
        for name in ["mp3_44100_stereo.mp3", "mp3_22050_mono.mp3"] {
            let frames = try MPEGAudioFrameHeader.frames(in: try fixture(name))
            let output = try record(frames.map { Array($0.frame) }, description: try .mp3(header: frames[0].header),
                                    source: name, expectedCodec: "mp3")
            try assertSamePackets(output, TestPaths.fixture("audio/" + name))
            // Durations from the bitstream: 1152 (MPEG-1) or 576 (MPEG-2) at the sample rate.
            let stts = try MP4Reader(path: output).tracks[0].samples.map(\.duration)
            XCTAssertEqual(Set(stts), [UInt32(frames[0].header.samplesPerFrame)])
        }
    }

    func testAC3AndEAC3() throws {
        try FFmpegCheck.require()
        for name in ["ac3_48000_stereo.ac3", "ac3_44100_5.1.ac3"] {
            let frames = try AC3SyncFrameHeader.frames(in: try fixture(name))
            let output = try record(frames.map { Array($0.frame) }, description: .ac3(header: frames[0].header),
                                    source: name, expectedCodec: "ac3")
            try assertSamePackets(output, TestPaths.fixture("audio/" + name))
        }
        for name in ["eac3_48000_stereo.eac3", "eac3_48000_5.1.eac3"] {
            let frames = try EAC3SyncFrameHeader.frames(in: try fixture(name))
            let output = try record(frames.map { Array($0.frame) }, description: try .eac3(header: frames[0].header),
                                    source: name, expectedCodec: "eac3")
            try assertSamePackets(output, TestPaths.fixture("audio/" + name))
        }
    }

    func testOpus() throws {
        try FFmpegCheck.require()
        let source = TestPaths.fixture("audio/opus_48000_stereo.mp4")
        let reader = try MP4Reader(path: source)
        let track = try XCTUnwrap(reader.tracks.first)
        let frames = try track.samples.map { try reader.readSamplePayload($0) }
        let output = try record(frames, description: track.sampleDescriptions[0], source: source, expectedCodec: "opus")
        try assertSamePackets(output, source)
        let recorded = try MP4Reader(path: output).tracks[0]
        XCTAssertEqual(recorded.samples.map(\.duration).dropLast(), track.samples.map(\.duration).dropLast())
        // The pre-skip is skipped by the edit list, as ffmpeg's muxer wrote it in the source.
        XCTAssertEqual(recorded.editList.map(\.mediaTime), track.editList.map(\.mediaTime))
        XCTAssertEqual(track.editList.first?.mediaTime, 312)
    }

    func testG711KeepsTheSamples() throws {
        try FFmpegCheck.require()
        let modern = try ModernFFmpeg.require()
        for (codec, name) in [(Codec.pcmMulaw, "pcm_mulaw"), (.pcmAlaw, "pcm_alaw")] {
            let wav = TestPaths.temporaryDirectory("g711") + "/s.wav"
            let make = try ExternalTool.run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000:duration=1",
                                                       "-c:a", name, wav])
            XCTAssertEqual(make.status, 0, make.stderr)
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: wav)))
            let data = try XCTUnwrap((0..<(bytes.count - 8)).first { Array(bytes[$0..<$0 + 4]) == Array("data".utf8) }) + 8
            // 20 ms packets, as RTP and FLV publishers send G.711.
            let frames = stride(from: data, to: bytes.count, by: 160).map { Array(bytes[$0..<min(bytes.count, $0 + 160)]) }
            let output = try record(frames, description: .g711(codec, channelCount: 1), source: wav, expectedCodec: name)
            for ffmpeg in ["ffmpeg", modern] {
                let expected = try FFmpegCheck.decodedAudioHash(wav, ffmpeg: ffmpeg)
                let actual = try FFmpegCheck.decodedAudioHash(output, ffmpeg: ffmpeg)
                XCTAssertEqual(actual.hash, expected.hash, "\(name) samples decoded by \(ffmpeg)")
                XCTAssertEqual(actual.complaints, "", ffmpeg)
            }
        }
    }
}
