import Foundation
import XCTest
import TestSupport
@testable import MediaCore

/// The audio frame parsers against streams ffmpeg made (Tests/Fixtures/audio/README.md): every
/// frame found where the next one starts, the fields ffprobe reports, and the `dac3`/`dec3`/
/// `dOps` bodies equal to those ffmpeg's mp4 muxer wrote for the same encodes.
final class AudioFrameHeaderTests: XCTestCase {
    private func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestPaths.fixture("audio/" + name))))
    }

    // MARK: MPEG audio

    func testMP3FramesTileTheFile() throws {
        // (file, sample rate, channels, samples per frame, frame count, as ffprobe reports them)
        let cases: [(String, UInt32, Int, Int, Int)] = [
            ("mp3_44100_stereo.mp3", 44100, 2, 1152, 11),
            ("mp3_22050_mono.mp3", 22050, 1, 576, 12),
        ]
        for (name, rate, channels, samples, count) in cases {
            let bytes = try fixture(name)
            let frames = try MPEGAudioFrameHeader.frames(in: bytes)
            XCTAssertEqual(frames.count, count, name)
            XCTAssertEqual(frames.reduce(0) { $0 + $1.frame.count }, bytes.count, name)
            for (header, frame) in frames {
                XCTAssertEqual(header.layer, 3, name)
                XCTAssertEqual(header.sampleRate, rate, name)
                XCTAssertEqual(header.channelCount, channels, name)
                XCTAssertEqual(header.samplesPerFrame, samples, name)
                XCTAssertEqual(header.frameLength, frame.count, name)
            }
            let description = try SampleDescription.mp3(header: frames[0].header)
            XCTAssertEqual(description.sampleRate, rate)
            XCTAssertEqual(try description.samplesPerFrame(Array(frames[1].frame)), samples)
        }
    }

    func testMPEGAudioLayersAndRefusals() throws {
        // MPEG-1 layer II, 48 kHz, 192 kbit/s, stereo: 1152 samples, 576 bytes.
        let mp2 = try MPEGAudioFrameHeader(parsing: hex("fffda404"))
        XCTAssertEqual([mp2.layer, mp2.samplesPerFrame, mp2.frameLength, Int(mp2.sampleRate)], [2, 1152, 576, 48000])
        XCTAssertThrowsError(try SampleDescription.mp3(header: mp2))
        // MPEG-1 layer I, 44.1 kHz, 384 kbit/s, padded: (12 * 384000 / 44100 + 1) * 4 bytes.
        let mp1 = try MPEGAudioFrameHeader(parsing: hex("fffec200"))
        XCTAssertEqual([mp1.layer, mp1.samplesPerFrame, mp1.frameLength], [1, 384, (104 + 1) * 4])
        // MPEG-2.5 layer III, 8 kHz, 8 kbit/s, mono.
        let lsf = try MPEGAudioFrameHeader(parsing: hex("ffe318c0"))
        XCTAssertEqual([Int(lsf.sampleRate), lsf.samplesPerFrame, lsf.channelCount, lsf.frameLength], [8000, 576, 1, 72])
        for bad in ["fffa0000" /* free format */, "fffaf000" /* bitrate 15 */, "fffa9c00" /* rate 3 */,
                    "ffea9000" /* version 01 */, "fff89000" /* layer 00 */, "7ffa9000", "fffa"] {
            XCTAssertThrowsError(try MPEGAudioFrameHeader(parsing: hex(bad)), bad)
        }
    }

    func testMP3FrameCutShortThrows() throws {
        let bytes = try fixture("mp3_44100_stereo.mp3")
        XCTAssertThrowsError(try MPEGAudioFrameHeader.frames(in: Array(bytes.dropLast())))
    }

    // MARK: AC-3

    func testAC3FramesAndSpecificBoxMatchFFmpeg() throws {
        let cases: [(String, UInt32, Int)] = [("ac3_48000_stereo", 48000, 2), ("ac3_44100_5.1", 44100, 6)]
        for (name, rate, channels) in cases {
            let bytes = try fixture(name + ".ac3")
            let frames = try AC3SyncFrameHeader.frames(in: bytes)
            XCTAssertEqual(frames.reduce(0) { $0 + $1.frame.count }, bytes.count, name)
            XCTAssertGreaterThan(frames.count, 4, name)
            for (header, _) in frames {
                XCTAssertEqual(header.sampleRate, rate, name)
                XCTAssertEqual(header.channelCount, channels, name)
            }
            let dac3 = frames[0].header.specificBox.serialized()
            XCTAssertEqual(dac3, try boxBody("dac3", inFixture: "audio/\(name).mp4"), name)
            let parsed = try AC3SpecificBox(parsing: dac3)
            XCTAssertEqual(parsed, frames[0].header.specificBox)
            XCTAssertEqual([Int(parsed.sampleRate), parsed.channelCount], [Int(rate), channels])
            let description = SampleDescription.ac3(header: frames[0].header)
            XCTAssertEqual(try description.samplesPerFrame(Array(frames[0].frame)), 1536)
        }
    }

    func testAC3Refusals() {
        for bad in ["0b78000000000000", "0b770000c0400000" /* fscod 3 */, "0b7700002640" /* frmsizecod 38 */,
                    "0b7700001460" /* bsid 12 */, "0b77"] {
            XCTAssertThrowsError(try AC3SyncFrameHeader(parsing: hex(bad)), bad)
        }
    }

    // MARK: E-AC-3

    func testEAC3FramesAndSpecificBoxMatchFFmpeg() throws {
        let cases: [(String, Int)] = [("eac3_48000_stereo", 2), ("eac3_48000_5.1", 6)]
        for (name, channels) in cases {
            let bytes = try fixture(name + ".eac3")
            let frames = try EAC3SyncFrameHeader.frames(in: bytes)
            XCTAssertEqual(frames.reduce(0) { $0 + $1.frame.count }, bytes.count, name)
            for (header, _) in frames {
                XCTAssertEqual(header.sampleRate, 48000, name)
                XCTAssertEqual(header.channelCount, channels, name)
                XCTAssertEqual(header.samplesPerFrame, 1536, name)
                XCTAssertEqual(header.strmtyp, 0, name)
            }
            let dec3 = frames[0].header.specificBox.serialized()
            XCTAssertEqual(dec3, try boxBody("dec3", inFixture: "audio/\(name).mp4"), name)
            XCTAssertEqual(try EC3SpecificBox(parsing: dec3), frames[0].header.specificBox)
            let description = try SampleDescription.eac3(header: frames[0].header)
            XCTAssertEqual(Int(description.channelCount), channels)
        }
    }

    func testEAC3DependentSubstreamRefused() throws {
        var bytes = Array(try fixture("eac3_48000_stereo.eac3").prefix(64))
        bytes[2] = (bytes[2] & 0x3F) | 0x40                     // strmtyp 1: a dependent substream
        let header = try EAC3SyncFrameHeader(parsing: bytes)
        XCTAssertThrowsError(try SampleDescription.eac3(header: header))
        XCTAssertThrowsError(try EC3SpecificBox(parsing: hex("0800200f10")))   // num_dep_sub 8
    }

    // MARK: Opus

    func testOpusHeadBecomesFFmpegsDOps() throws {
        let ogg = try fixture("opus_48000_stereo.opus")
        let magic = OpusIdentificationHeader.magic
        let start = try XCTUnwrap((0..<(ogg.count - 8)).first { Array(ogg[$0..<$0 + 8]) == magic })
        let head = try OpusIdentificationHeader(opusHead: Array(ogg[start..<start + 19]))
        XCTAssertEqual(head.channelCount, 2)
        XCTAssertEqual(head.preSkip, 312)
        XCTAssertEqual(head.inputSampleRate, 48000)
        XCTAssertEqual(head.opusHead(), Array(ogg[start..<start + 19]))
        let dOps = try boxBody("dOps", inFixture: "audio/opus_48000_stereo.mp4")
        XCTAssertEqual(head.opusSpecificBox(), dOps)
        XCTAssertEqual(try OpusIdentificationHeader(opusSpecificBox: dOps), head)
    }

    func testOpusMappingFamilyOneRoundTrips() throws {
        let surround = OpusIdentificationHeader(channelCount: 6, preSkip: 312, inputSampleRate: 48000, mappingFamily: 1,
                                                channelMappingTable: (4, 2, [0, 4, 1, 2, 3, 5]))
        XCTAssertEqual(try OpusIdentificationHeader(opusHead: surround.opusHead()), surround)
        XCTAssertEqual(try OpusIdentificationHeader(opusSpecificBox: surround.opusSpecificBox()), surround)
        XCTAssertThrowsError(try OpusIdentificationHeader(opusHead: Array(surround.opusHead().dropLast())))
        XCTAssertThrowsError(try OpusIdentificationHeader(opusSpecificBox: [1] + surround.opusSpecificBox().dropFirst()))
    }

    func testOpusPacketDurationsFromTOC() throws {
        // (TOC [+ frame count byte], samples at 48 kHz) per RFC 6716 3.1-3.2.5.
        let cases: [([UInt8], Int)] = [
            ([0xFC], 960),           // config 31 CELT FB 20 ms, one frame (what libopus sends by default)
            ([0x00], 480),           // SILK NB 10 ms
            ([0x18], 2880),          // config 3: SILK 60 ms
            ([0x61], 960),           // config 12 hybrid 10 ms, two frames
            ([0x82], 240),           // config 16 CELT 2.5 ms, two frames
            ([0xFB, 0x03], 2880),    // config 31, code 3, three frames
            ([0x18, 0x03], 2880),    // code 0 ignores the following byte
        ]
        for (packet, samples) in cases {
            XCTAssertEqual(try OpusPacket.sampleCount(of: packet), samples, hexString(packet))
        }
        XCTAssertThrowsError(try OpusPacket.sampleCount(of: [UInt8]()))
        XCTAssertThrowsError(try OpusPacket.sampleCount(of: [0x1F] as [UInt8]))          // code 3 without the count byte
        XCTAssertThrowsError(try OpusPacket.sampleCount(of: [0x1F, 0x03] as [UInt8]))    // 3 x 60 ms > 120 ms
        XCTAssertThrowsError(try OpusPacket.sampleCount(of: [0xFB, 0x00] as [UInt8]))    // zero frames
    }

    // MARK: G.711

    func testG711FramesCountBytesPerChannel() throws {
        let mono = SampleDescription.g711(.pcmMulaw, channelCount: 1)
        XCTAssertEqual(try mono.samplesPerFrame([UInt8](repeating: 0xFF, count: 160)), 160)
        let stereo = SampleDescription.g711(.pcmAlaw, channelCount: 2)
        XCTAssertEqual(try stereo.samplesPerFrame([UInt8](repeating: 0xD5, count: 320)), 160)
        XCTAssertEqual(stereo.sampleRate, 8000)
    }

    // MARK: Damage

    /// Every prefix of real frames, and random mutations of them, parse or throw; none traps,
    /// and a cut frame is never taken for a whole one.
    func testTruncatedAndMutatedInputNeverTraps() throws {
        var rng = SystemRandomNumberGenerator()
        let ogg = try fixture("opus_48000_stereo.opus")
        let at = try XCTUnwrap((0..<(ogg.count - 8)).first { Array(ogg[$0..<$0 + 8]) == OpusIdentificationHeader.magic })
        let opusHead = Array(ogg[at..<at + 19])
        let streams = try ["mp3_44100_stereo.mp3", "ac3_44100_5.1.ac3", "eac3_48000_5.1.eac3"].map { Array(try fixture($0).prefix(3000)) }
        for stream in streams {
            for length in 0..<min(stream.count, 200) {
                let prefix = Array(stream.prefix(length))
                _ = try? MPEGAudioFrameHeader(parsing: prefix)
                _ = try? AC3SyncFrameHeader(parsing: prefix)
                _ = try? EAC3SyncFrameHeader(parsing: prefix)
                _ = try? OpusPacket.sampleCount(of: prefix)
            }
        }
        // 3000 bytes end inside the eighth frame of mp3_44100_stereo.mp3 (418-byte frames).
        XCTAssertThrowsError(try MPEGAudioFrameHeader.frames(in: streams[0]))
        XCTAssertThrowsError(try AC3SyncFrameHeader.frames(in: streams[1]))
        XCTAssertThrowsError(try EAC3SyncFrameHeader.frames(in: streams[2]))
        for length in 0..<opusHead.count { XCTAssertThrowsError(try OpusIdentificationHeader(opusHead: Array(opusHead.prefix(length)))) }
        for _ in 0..<2000 {
            for var bytes in streams.map({ Array($0.prefix(64)) }) + [opusHead] {
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
                _ = try? MPEGAudioFrameHeader(parsing: bytes).frameLength
                _ = try? AC3SyncFrameHeader(parsing: bytes).frameLength
                _ = try? EAC3SyncFrameHeader(parsing: bytes).specificBox.serialized()
                _ = try? OpusIdentificationHeader(opusHead: bytes).opusSpecificBox()
                _ = try? OpusIdentificationHeader(opusSpecificBox: bytes)
                _ = try? AC3SpecificBox(parsing: bytes)
                _ = try? EC3SpecificBox(parsing: bytes)
                _ = try? OpusPacket.sampleCount(of: bytes)
            }
        }
    }
}
