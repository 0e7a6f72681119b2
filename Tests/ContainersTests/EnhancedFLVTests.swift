import Containers
import ISOBMFF
import MediaCore
import TestSupport
import XCTest

/// Enhanced RTMP v2 tag bodies (FourCC video and audio, multitrack, ModEx) and the enhanced
/// FLV files ffmpeg 9 writes (Tests/Fixtures/flv/README.md).
final class EnhancedFLVTests: XCTestCase {
    /// ffmpeg 9's enhanced FLV of the AV1 and VP9 fixtures gives the MP4's samples: same
    /// payloads, the same sync samples (found in the bitstream), the same av1C/vpcC.
    func testEnhancedFLVFilesGiveTheMP4Samples() throws {
        for name in ["av1", "vp9"] {
            let mp4 = try MP4Reader(path: TestPaths.fixture("mp4/\(name)_160x120.mp4"))
            let source = try mp4.frames().map { frame -> MediaFrame in
                var copy = frame
                copy.trackID = ContainerTrackID.video
                return copy
            }
            var sourceTrack = try XCTUnwrap(mp4.tracks.first).trackDescription
            sourceTrack.trackID = ContainerTrackID.video
            let result = readFLV(try readFile(TestPaths.fixture("flv/enhanced_\(name).flv")))
            XCTAssertEqual(result.errors.map { "\($0)" }, [], name)
            let track = try XCTUnwrap(result.tracks[ContainerTrackID.video], name)
            XCTAssertEqual(track.sampleDescriptions, sourceTrack.sampleDescriptions, "\(name): configuration and size")
            assertSameFrames(result.frames, actualTracks: result.tracks, source, expectedTracks: [sourceTrack], tolerance: 0.0011)
            XCTAssertEqual(result.frames.enumerated().filter(\.element.isKeyframe).map(\.offset), [0, 10], name)
        }
    }

    /// ffmpeg 9's enhanced FLV audio: Opus (OpusHead sequence start), AC-3 and E-AC-3 (an
    /// empty sequence start and a MultichannelConfig, then frames that describe themselves).
    /// Each gives one audio track of that codec whose frames parse as that codec and last
    /// what the source lasted (0.5 s, plus encoder padding of at most two frames).
    func testEnhancedAudioFixturesGiveTracksOfTheirCodec() throws {
        for (name, codec) in [("opus", Codec.opus), ("ac3", .ac3), ("eac3", .eac3)] {
            let result = readFLV(try readFile(TestPaths.fixture("flv/enhanced_\(name).flv")))
            XCTAssertEqual(result.errors.map { "\($0)" }, [], name)
            let track = try XCTUnwrap(result.tracks[ContainerTrackID.audio], name)
            XCTAssertEqual(track.codec, codec, name)
            let description = track.sampleDescriptions[0]
            XCTAssertEqual(description.sampleRate, 48000, name)
            XCTAssertEqual(description.channelCount, 1, name)
            let frames = result.frames(track: ContainerTrackID.audio)
            var samples = 0
            for frame in frames { samples += try XCTUnwrap(try description.samplesPerFrame(frame.payload), name) }
            let frameLength = Double(samples) / Double(frames.count) / 48000
            XCTAssertEqual(Double(samples) / 48000, 0.5, accuracy: 2 * frameLength + 0.001, name)
            XCTAssertTrue(frames.allSatisfy(\.isKeyframe))
        }
    }

    /// Our enhanced FLV of the AV1 and VP9 fixtures (and of H.265, which ffmpeg 5.1 cannot
    /// read in FLV) decodes silently with ffmpeg 9 to the source's frames, and reads back to
    /// the same frames.
    func testWrittenEnhancedFLVDecodesInFFmpeg9LikeTheSource() throws {
        let ffmpeg9 = try ModernFFmpeg.require()
        let directory = TestPaths.temporaryDirectory("eflv-out")
        for name in ["av1_160x120", "vp9_160x120", "h265_aac"] {
            let reader = try MP4Reader(path: TestPaths.fixture("mp4/\(name).mp4"))
            let tracks = reader.tracks.map(\.trackDescription)
            let frames = try reader.frames()
            let path = "\(directory)/\(name).flv"
            let writer = try FLVFileWriter(path: path, tracks: tracks)
            for frame in frames { try writer.write(frame) }
            try writer.close()
            let read = readFLV(try readFile(path))
            XCTAssertEqual(read.errors.map { "\($0)" }, [], name)
            XCTAssertEqual(read.frames(track: ContainerTrackID.video).map(\.payload),
                           frames.filter { $0.trackID == tracks.first { $0.kind == .video }!.trackID }.map(\.payload), name)
            func hashes(_ p: String) throws -> [Substring] {
                let decoded = try ModernFFmpeg.decodedHashes(p, stream: "v", ffmpeg: ffmpeg9)
                XCTAssertEqual(decoded.complaints, "", "ffmpeg 9 on \(p)")
                return decoded.hashes
            }
            let expected = try hashes(TestPaths.fixture("mp4/\(name).mp4"))
            XCTAssertFalse(expected.isEmpty)
            XCTAssertEqual(try hashes(path), expected, name)
        }
    }

    /// MPEG-TS refuses AV1 and VP9 by name: no stream type that ffmpeg 5.1 reads.
    func testTSWriterRefusesAV1AndVP9ByName() throws {
        for (name, label) in [("av1_160x120", "AV1"), ("vp9_160x120", "VP9")] {
            let tracks = try MP4Reader(path: TestPaths.fixture("mp4/\(name).mp4")).tracks.map(\.trackDescription)
            XCTAssertThrowsError(try TSWriter(tracks: tracks)) { error in
                XCTAssertTrue("\(error)".contains("\(label) video (track 1)"), "\(error)")
            }
        }
    }

    func testVideoBodiesRoundTripInTheEnhancedForm() throws {
        let bodies: [FLVVideoTagBody] = [
            FLVVideoTagBody(codec: .av1, frameType: .keyframe, packet: .sequenceStart([0x81, 0, 0x0C, 0])),
            FLVVideoTagBody(codec: .av1, frameType: .interframe, packet: .codedFrames(compositionTime: 0, data: [0x32, 0])),
            FLVVideoTagBody(codec: .vp9, frameType: .keyframe, packet: .codedFrames(compositionTime: 0, data: [0x82, 0x49])),
            FLVVideoTagBody(codec: .h265, frameType: .interframe, packet: .codedFrames(compositionTime: 40, data: [0, 0, 0, 1, 2]),
                            isEnhanced: true, trackID: 3),
            FLVVideoTagBody(codec: .vp9, frameType: .keyframe, packet: .sequenceStart([1, 0, 0, 0]), isEnhanced: true, trackID: 1),
        ]
        for body in bodies {
            XCTAssertEqual(try FLVVideoTagBody.packets(parsing: body.serialized()), [body])
        }
        // AV1 and VP9 coded frames have no composition time: PacketType 1 and the data next.
        XCTAssertEqual(bodies[1].serialized(), [0x80 | 0x20 | 1] + Array("av01".utf8) + [0x32, 0])
    }

    func testManyTracksManyCodecsGivesEveryTrack() throws {
        // Multitrack(6) | ManyTracksManyCodecs(2) CodedFrames(1) | av01 #0 size 2 | vp09 #1 size 1 | 'xxxx' #2 size 1 (skipped)
        var w = ByteWriter()
        w.write(UInt8(0x80 | 0x10 | 6))
        w.write(UInt8(2 << 4 | 1))
        w.write(FourCC("av01")); w.write(UInt8(0)); w.writeUInt(2, byteCount: 3); w.write(bytes: [0x32, 0x00])
        w.write(FourCC("vp09")); w.write(UInt8(1)); w.writeUInt(1, byteCount: 3); w.write(bytes: [0x82])
        w.write(FourCC("xxxx")); w.write(UInt8(2)); w.writeUInt(1, byteCount: 3); w.write(bytes: [0xFF])
        let packets = try FLVVideoTagBody.packets(parsing: w.bytes)
        XCTAssertEqual(packets.map(\.codec), [.av1, .vp9])
        XCTAssertEqual(packets.map(\.trackID), [0, 1])
        XCTAssertEqual(packets.map(\.data), [[0x32, 0x00], [0x82]])
        // A size past the message is refused, not read beyond.
        var cut = w.bytes
        cut.removeLast(3)
        XCTAssertThrowsError(try FLVVideoTagBody.packets(parsing: cut))
    }

    func testModExTimestampOffsetIsReadAndSkipped() throws {
        // ModEx(7) with 3 bytes of data (size-1 = 2) = 500 000 ns, then ModExType 0 | CodedFrames(1).
        let bytes: [UInt8] = [0x80 | 0x20 | 7, 2, 0x07, 0xA1, 0x20, 0x01] + Array("vp09".utf8) + [0x86]
        let body = try FLVVideoTagBody(parsing: bytes)
        XCTAssertEqual(body.timestampOffsetNanoseconds, 500_000)
        XCTAssertEqual(body.packet, .codedFrames(compositionTime: 0, data: [0x86]))
        // Audio: SoundFormat 9 | ModEx(7), an unknown ModEx type 5 with one byte, then CodedFrames.
        let audio: [UInt8] = [0x97, 0, 0xEE, 0x51] + Array("Opus".utf8) + [0xFC]
        let packet = try FLVAudioTagBody(parsing: audio)
        XCTAssertEqual(packet.codec, .opus)
        XCTAssertEqual(packet.packet, .raw([0xFC]))
        XCTAssertEqual(packet.timestampOffsetNanoseconds, 0)
    }

    func testAudioFourCCsAndMultitrack() throws {
        for (fourCC, codec) in [("Opus", Codec.opus), ("ac-3", .ac3), ("ec-3", .eac3), (".mp3", .mp3), ("mp4a", .aac)] {
            let body = try FLVAudioTagBody(parsing: [0x91] + Array(fourCC.utf8) + [1, 2])
            XCTAssertEqual(body.codec, codec)
            XCTAssertEqual(body.packet, .raw([1, 2]))
            XCTAssertEqual(body.serialized(), [0x91] + Array(fourCC.utf8) + [1, 2])
        }
        // Multitrack(5) | ManyTracks(1) SequenceStart(0) | mp4a | #0 size 2 | #1 size 2
        let many: [UInt8] = [0x95, 0x10] + Array("mp4a".utf8) + [0, 0, 0, 2, 0x11, 0x90, 1, 0, 0, 2, 0x12, 0x10]
        let packets = try FLVAudioTagBody.packets(parsing: many)
        XCTAssertEqual(packets.map(\.trackID), [0, 1])
        XCTAssertEqual(packets.map(\.packet), [.sequenceHeader([0x11, 0x90]), .sequenceHeader([0x12, 0x10])])
        // The demuxer makes them two audio tracks: 2 and the next free id.
        var demuxer = FLVTagDemuxer()
        let events = try demuxer.demux(.audio, timestamp: 0, body: many)
        XCTAssertEqual(events.count, 2)
        XCTAssertEqual(demuxer.trackDescriptions.map(\.trackID), [ContainerTrackID.audio, 3])
        XCTAssertEqual(demuxer.trackDescriptions.map(\.sampleDescriptions.first?.sampleRate), [48000, 44100])
        XCTAssertThrowsError(try FLVAudioTagBody(parsing: [0x91] + Array("fLaC".utf8)))
    }

    func testTruncatedEnhancedBodiesThrowAtEveryLength() throws {
        let bodies: [[UInt8]] = [
            [0x80 | 0x20 | 7, 2, 0x07, 0xA1, 0x20, 0x01] + Array("vp09".utf8),
            [0x80 | 0x10 | 6, 0x11] + Array("av01".utf8) + [0, 0, 0, 1, 0x32],
            [0x95, 0x10] + Array("mp4a".utf8) + [0, 0, 0, 2, 0x11, 0x90],
        ]
        for body in bodies {
            for length in 0..<body.count - 1 {
                let cut = Array(body.prefix(length))
                let kind: FLVTag.Kind = body[0] >> 4 == 9 ? .audio : .video
                if kind == .video {
                    XCTAssertThrowsError(try FLVVideoTagBody.packets(parsing: cut), "\(body) cut to \(length)")
                } else {
                    XCTAssertThrowsError(try FLVAudioTagBody.packets(parsing: cut), "\(body) cut to \(length)")
                }
            }
        }
    }
}
