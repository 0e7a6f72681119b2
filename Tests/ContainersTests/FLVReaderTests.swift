import Containers
import ISOBMFF
import MediaCore
import TestSupport
import XCTest

final class FLVReaderTests: XCTestCase {
    /// ffmpeg's FLV of each fixture gives the MP4's samples: same payloads, keyframes and
    /// timestamps (milliseconds, so within half a millisecond after ffmpeg's shift to 0).
    func testFixturesGiveTheMP4Samples() throws {
        for fixture in ContainerFixture.allCases {
            guard let path = fixture.flv else { continue }
            let source = try fixture.source()
            let result = readFLV(try readFile(path))
            XCTAssertEqual(result.errors.map { "\($0)" }, [], fixture.rawValue)
            let tracks = result.tracks
            XCTAssertEqual(tracks.values.map(\.timescale), tracks.values.map { _ in 1000 })
            for track in source.tracks {
                let read = try XCTUnwrap(tracks[track.trackID], "\(fixture.rawValue) track \(track.trackID)")
                XCTAssertEqual(read.sampleDescriptions, track.sampleDescriptions, "\(fixture.rawValue): FLV carries the same avcC/ASC")
            }
            assertSameFrames(result.frames, actualTracks: tracks, source.frames, expectedTracks: source.tracks,
                             tolerance: 0.0011)
        }
    }

    func testOnMetaDataIsADictionary() throws {
        let result = readFLV(try readFile(ContainerFixture.h264AAC.flv!))
        guard case let .metadata(metadata)? = result.events.first else { return XCTFail("no metadata first") }
        XCTAssertEqual(metadata["width"], .number(320))
        XCTAssertEqual(metadata["height"], .number(240))
        XCTAssertEqual(metadata["videocodecid"], .number(7))
        XCTAssertEqual(metadata["audiocodecid"], .number(10))
        XCTAssertEqual(metadata["duration"]?.number ?? 0, 3, accuracy: 0.1)
    }

    /// Any split of the bytes gives the same events: "need more bytes" consumes nothing.
    func testSplitsDoNotMatter() throws {
        let bytes = try readFile(ContainerFixture.h264AAC.flv!)
        let whole = readFLV(bytes)
        for chunk in [1, 7, 188, 4096] {
            let pieces = readFLV(bytes, chunkSize: chunk)
            XCTAssertEqual(pieces.events, whole.events, "chunks of \(chunk)")
            XCTAssertTrue(pieces.errors.isEmpty)
        }
    }

    func testTagBodiesRoundTrip() throws {
        let bodies: [FLVVideoTagBody] = [
            FLVVideoTagBody(codec: .h264, frameType: .keyframe, packet: .sequenceStart([1, 2, 3])),
            FLVVideoTagBody(codec: .h264, frameType: .interframe, packet: .codedFrames(compositionTime: -40, data: [0, 0, 0, 1, 9])),
            FLVVideoTagBody(codec: .h265, frameType: .keyframe, packet: .sequenceStart([1, 2, 3])),
            FLVVideoTagBody(codec: .h265, frameType: .interframe, packet: .codedFrames(compositionTime: 80, data: [0, 0, 0, 1, 2])),
            FLVVideoTagBody(codec: .h265, frameType: .keyframe, packet: .codedFrames(compositionTime: 0, data: [0, 0, 0, 1, 2])),
            FLVVideoTagBody(codec: .h264, frameType: .keyframe, packet: .codedFrames(compositionTime: 0x7F_FFFF, data: [])),
            FLVVideoTagBody(codec: .h265, frameType: .keyframe, packet: .sequenceEnd),
        ]
        for body in bodies {
            XCTAssertEqual(try FLVVideoTagBody(parsing: body.serialized()), body)
        }
        // Enhanced HEVC: IsExHeader, FrameType 1, PacketType 1 (CodedFrames), 'hvc1', SI24.
        XCTAssertEqual(Array(bodies[3].serialized().prefix(8)), [0xA1, 0x68, 0x76, 0x63, 0x31, 0, 0, 80])
        // CodedFramesX (PacketType 3) when the composition time is 0.
        XCTAssertEqual(bodies[4].serialized()[0], 0x93)
        // Legacy AVC: 0x17 (keyframe, AVC), packet type 0.
        XCTAssertEqual(Array(bodies[0].serialized().prefix(5)), [0x17, 0, 0, 0, 0])
        for packet: FLVAudioTagBody.Packet in [.sequenceHeader([0x11, 0x90]), .raw([1, 2, 3])] {
            let body = FLVAudioTagBody(packet: packet)
            XCTAssertEqual(try FLVAudioTagBody(parsing: body.serialized()), body)
        }
    }

    /// Legacy CodecID 12 HEVC (the non-standard extension) reads like enhanced HEVC.
    func testLegacyHEVCCodecID() throws {
        let body = FLVVideoTagBody(codec: .h265, frameType: .keyframe, packet: .codedFrames(compositionTime: 40, data: [1]),
                                   isEnhanced: false)
        XCTAssertEqual(body.serialized()[0], 0x1C)
        XCTAssertEqual(try FLVVideoTagBody(parsing: body.serialized()), body)
    }

    func testRTMPDataMessageWithSetDataFrame() throws {
        let body = try AMF0Encoder.encode([.string("@setDataFrame"), .string("onMetaData"),
                                           .ecmaArray([.init("width", .number(1280))])])
        var demuxer = FLVTagDemuxer()
        XCTAssertEqual(try demuxer.demux(.scriptData, timestamp: 0, body: body), [.metadata(["width": .number(1280)])])
    }

    func testFramesBeforeTheSequenceHeaderAreDropped() throws {
        var demuxer = FLVTagDemuxer()
        let frame = FLVAudioTagBody(packet: .raw([1, 2])).serialized()
        XCTAssertEqual(try demuxer.demux(.audio, timestamp: 0, body: frame), [])
        XCTAssertEqual(demuxer.droppedFrameCount, 1)
        _ = try demuxer.demux(.audio, timestamp: 0, body: FLVAudioTagBody(packet: .sequenceHeader([0x11, 0x90])).serialized())
        XCTAssertEqual(try demuxer.demux(.audio, timestamp: 23, body: frame).count, 1)
    }

    func testUnsupportedTagsAreConsumedAndReadingGoesOn() throws {
        let bytes = try readFile(ContainerFixture.aacOnly.flv!)
        // A reserved tag type (5) spliced in after the first tag.
        let firstTag = FLVHeader.size + 4 + FLVTag.headerSize + Int(bytes[14]) << 16 + Int(bytes[15]) << 8 + Int(bytes[16])
        let junk: [UInt8] = [0, 0, 0, 0] + [5, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0xAA, 0xBB]
        let spliced = Array(bytes[..<firstTag]) + junk + Array(bytes[firstTag...])
        let result = readFLV(spliced)
        XCTAssertEqual(result.errors.count, 1)
        XCTAssertEqual(result.frames, readFLV(bytes).frames)
    }

    func testTimestampsPastTwoToThe32UnwrapMonotonic() throws {
        let source = try ContainerFixture.aacOnly.source()
        var tracks = source.tracks
        tracks[0].timescale = 1000
        // Audio frames 23 ms apart starting 100 ms before the 32-bit wrap (49.7 days).
        let start = Int64(UInt32.max) - 100
        let frames = source.frames.prefix(20).enumerated().map { i, frame in
            MediaFrame(trackID: frame.trackID, dts: start + Int64(i) * 23, pts: start + Int64(i) * 23, isKeyframe: true,
                       payload: frame.payload)
        }
        var writer = try FLVWriter(tracks: tracks, options: FLVTagMuxer.Options(startsAtZero: false))
        var bytes = writer.header
        for frame in frames { bytes += try writer.write(frame) }
        let read = readFLV(bytes).frames
        XCTAssertEqual(read.map(\.dts), frames.map(\.dts))
    }

    /// A file header that is not FLV ends the stream: thrown once, then nothing (a caller that
    /// retries after errors must not spin on it), and `finish` reports it. Found by the
    /// mutation run (a flipped signature byte made `next()` throw forever without consuming).
    func testDamagedFileHeaderEndsTheStreamOnce() throws {
        var bytes = try readFile(ContainerFixture.aacOnly.flv!)
        bytes[1] = 0x00  // "FLV" -> "F\0V"
        var reader = FLVReader()
        reader.push(bytes)
        XCTAssertThrowsError(try reader.next())
        XCTAssertNil(try reader.next())
        reader.push(bytes)
        XCTAssertNil(try reader.next(), "bytes after a bad header are dropped")
        XCTAssertThrowsError(try reader.finish())
    }
}
