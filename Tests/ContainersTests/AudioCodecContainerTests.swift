import Foundation
import MediaCore
import TestSupport
import XCTest
@testable import Containers

/// MP3, AC-3, E-AC-3, Opus and G.711 through our TS and FLV writers and back through our
/// readers: the same payloads, the description rebuilt from the bitstream, and each frame
/// exactly as long as its bitstream says (timescale = sample rate). The interop side (ffmpeg
/// reading what we write, and we reading what ffmpeg writes) is AudioCodecInteropTests.
final class AudioCodecContainerTests: XCTestCase {
    private func fixture(_ name: String) throws -> [UInt8] { try readFile(TestPaths.fixture("audio/" + name)) }

    /// A track of `frames` timed back to back in the sample rate.
    private func track(_ frames: [[UInt8]], _ description: SampleDescription) throws -> (TrackDescription, [MediaFrame]) {
        var dts: Int64 = 0
        var out: [MediaFrame] = []
        for payload in frames {
            out.append(MediaFrame(trackID: ContainerTrackID.audio, dts: dts, pts: dts, isKeyframe: true, payload: payload))
            dts += Int64(try XCTUnwrap(try description.samplesPerFrame(payload)))
        }
        return (TrackDescription(trackID: ContainerTrackID.audio, timescale: description.sampleRate, sampleDescriptions: [description]), out)
    }

    private func assertRoundTrip(_ read: ReadResult, _ track: TrackDescription, _ frames: [MediaFrame], _ label: String,
                                 file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(read.errors.map { "\($0)" }, [], label, file: file, line: line)
        XCTAssertEqual(read.tracks[ContainerTrackID.audio], track, label, file: file, line: line)
        let got = read.frames(track: ContainerTrackID.audio)
        XCTAssertEqual(got.map(\.payload), frames.map(\.payload), label, file: file, line: line)
        // Same durations, from whatever start the container gave the first frame.
        let start = got.first?.dts ?? 0
        XCTAssertEqual(got.map { $0.dts - start }, frames.map(\.dts), label, file: file, line: line)
    }

    private func sources() throws -> [(String, TrackDescription, [MediaFrame])] {
        var result: [(String, TrackDescription, [MediaFrame])] = []
        for name in ["mp3_44100_stereo.mp3", "mp3_22050_mono.mp3"] {
            let frames = try MPEGAudioFrameHeader.frames(in: try fixture(name))
            let (t, f) = try track(frames.map { Array($0.frame) }, try .mp3(header: frames[0].header))
            result.append((name, t, f))
        }
        for name in ["ac3_48000_stereo.ac3", "ac3_44100_5.1.ac3"] {
            let frames = try AC3SyncFrameHeader.frames(in: try fixture(name))
            let (t, f) = try track(frames.map { Array($0.frame) }, .ac3(header: frames[0].header))
            result.append((name, t, f))
        }
        for name in ["eac3_48000_stereo.eac3", "eac3_48000_5.1.eac3"] {
            let frames = try EAC3SyncFrameHeader.frames(in: try fixture(name))
            let (t, f) = try track(frames.map { Array($0.frame) }, try .eac3(header: frames[0].header))
            result.append((name, t, f))
        }
        let ogg = try fixture("opus_48000_stereo.opus")
        let at = try XCTUnwrap((0..<(ogg.count - 8)).first { Array(ogg[$0..<$0 + 8]) == OpusIdentificationHeader.magic })
        let head = try OpusIdentificationHeader(opusHead: Array(ogg[at..<at + 19]))
        // Opus packets of every TOC duration this encoder family sends (2.5 to 60 ms, 1 to 3 frames).
        let packets: [[UInt8]] = [[0xFC] + [UInt8](repeating: 0x55, count: 200), [0x80, 1, 2], [0x18, 9, 9, 9], [0xFB, 0x03, 7, 7],
                                  [0x61] + [UInt8](repeating: 0xAA, count: 300)]
        let (t, f) = try track(packets, .opus(header: head))
        result.append(("opus", t, f))
        return result
    }

    func testTSRoundTrip() throws {
        for (name, track, frames) in try sources() {
            let (read, _) = readTS(try writeTS(frames, tracks: [track]))
            assertRoundTrip(read, track, frames, name)
        }
    }

    func testFLVRoundTripOfMP3AndG711() throws {
        var cases = try sources().filter { $0.0.hasPrefix("mp3") }
        for codec in [Codec.pcmMulaw, .pcmAlaw] {
            for channels in [1, 2] as [UInt16] {
                // 20 ms packets, then a 128 ms one (what ffmpeg's encoder sends): 8 kHz, one byte per sample.
                let frames = [UInt8](0..<10).map { [UInt8](repeating: $0, count: 160 * Int(channels)) } + [[UInt8](repeating: 9, count: 1024 * Int(channels))]
                let (t, f) = try track(frames, .g711(codec, channelCount: channels))
                cases.append(("\(codec) \(channels) ch", t, f))
            }
        }
        for (name, track, frames) in cases {
            assertRoundTrip(readFLV(try writeFLV(frames, tracks: [track])), track, frames, name)
        }
    }

    func testWritersRefuseWhatTheirContainerCannotCarry() throws {
        for (name, track, _) in try sources() where !name.hasPrefix("mp3") {
            XCTAssertThrowsError(try FLVWriter(tracks: [track]), name) { error in
                XCTAssertTrue("\(error)".contains("\(track.codec) audio"), "\(error)")
            }
        }
        for codec in [Codec.pcmMulaw, .pcmAlaw] {
            let track = TrackDescription(trackID: 2, timescale: 8000, sampleDescriptions: [.g711(codec, channelCount: 1)])
            XCTAssertThrowsError(try TSWriter(tracks: [track])) { error in
                XCTAssertTrue("\(error)".contains("\(codec)") && "\(error)".contains("G.711"), "\(error)")
            }
        }
        // G.711 in FLV is 8 kHz only.
        let wide = TrackDescription(trackID: 2, timescale: 16000, sampleDescriptions: [.g711(.pcmAlaw, sampleRate: 16000, channelCount: 1)])
        XCTAssertThrowsError(try FLVWriter(tracks: [wide]))
    }

    /// MP2 behind an MPEG audio stream type: refused once, then skipped silently.
    func testMP2InTSIsRefusedOnce() throws {
        let layerII: [UInt8] = [0xFF, 0xFD, 0xA4, 0x04]     // MPEG-1 layer II, 192 kbit/s, 48 kHz
        var frame = [UInt8](repeating: 0, count: try MPEGAudioFrameHeader(parsing: layerII).frameLength)
        frame.replaceSubrange(0..<4, with: layerII)
        let description = SampleDescription(codec: .mp3, configuration: [], sampleRate: 48000, channelCount: 2)
        let frames = (0..<20).map { MediaFrame(trackID: 2, dts: Int64($0) * 1152, pts: Int64($0) * 1152, isKeyframe: true, payload: frame) }
        let track = TrackDescription(trackID: 2, timescale: 48000, sampleDescriptions: [description])
        let (read, _) = readTS(try writeTS(frames, tracks: [track]))
        XCTAssertEqual(read.errors.count, 1, "\(read.errors)")
        XCTAssertTrue("\(read.errors)".contains("layer 2 (mp2)"), "\(read.errors)")
        XCTAssertEqual(read.frames.count, 0)
    }

    /// FLV's milliseconds become exact sample times; a jump is followed.
    func testAudioFrameClockFollowsTheBitstreamWithinATick() {
        var clock = AudioFrameClock(sampleRate: 44100, containerTimescale: 1000)
        let milliseconds = (0..<100).map { Int64((Double($0) * 1152 * 1000 / 44100).rounded()) }
        let times = milliseconds.map { clock.time(of: $0, samples: 1152)! }
        XCTAssertEqual(times, (0..<100).map { Int64($0) * 1152 })
        XCTAssertEqual(clock.time(of: 10_000, samples: 1152), 441_000, "a gap: the container's time")
        XCTAssertEqual(clock.time(of: nil, samples: 1152), 442_152, "no time: after the previous frame")
        XCTAssertEqual(clock.time(of: 0, samples: 1152), 0, "a jump back: the container's time")
    }
}
