@testable import Containers
import ISOBMFF
import MediaCore
import TestSupport
import XCTest

final class TSReaderTests: XCTestCase {
    /// ffmpeg's TS of each fixture gives the MP4's samples: payloads without the AUDs and
    /// parameter sets ffmpeg added, keyframes, and timestamps (90 kHz video; audio in its
    /// sample rate, from PES PTS plus 1024 per frame).
    func testFixturesGiveTheMP4Samples() throws {
        for fixture in ContainerFixture.allCases {
            let source = try fixture.source()
            let (result, statistics) = readTS(try readFile(fixture.ts))
            XCTAssertEqual(result.errors.map { "\($0)" }, [], fixture.rawValue)
            XCTAssertEqual(statistics.continuityErrors + statistics.droppedPES + statistics.skippedBytes, 0, fixture.rawValue)
            let tracks = result.tracks
            for track in source.tracks {
                let read = try XCTUnwrap(tracks[track.trackID], "\(fixture.rawValue) track \(track.trackID)")
                let expected = track.sampleDescriptions[0], actual = read.sampleDescriptions[0]
                XCTAssertEqual(read.sampleDescriptions.count, 1, fixture.rawValue)
                XCTAssertEqual(read.timescale, track.kind == .video ? 90_000 : expected.sampleRate)
                XCTAssertEqual([actual.width, actual.height], [expected.width, expected.height])
                XCTAssertEqual([actual.sampleRate, UInt32(actual.channelCount)], [expected.sampleRate, UInt32(expected.channelCount)])
                try assertSameParameterSets(actual, expected, fixture.rawValue)
            }
            assertSameFrames(result.frames, actualTracks: tracks, try framesAsFFmpegMuxesThem(source), expectedTracks: source.tracks,
                             tolerance: 1.0 / 90_000)
        }
    }

    /// ffmpeg's hevc_mp4toannexb puts every array of the hvcC before each IRAP frame: with
    /// the parameter sets (which the reader takes out again) the SEI array x265 leaves there
    /// (its version string), which the reader keeps, as it keeps all SEI.
    private func framesAsFFmpegMuxesThem(_ source: (tracks: [TrackDescription], frames: [MediaFrame])) throws -> [MediaFrame] {
        guard let video = source.tracks.first(where: { $0.codec == .h265 }) else { return source.frames }
        let record = try HEVCDecoderConfigurationRecord(parsing: video.sampleDescriptions[0].configuration)
        let sei = try NALUnit.lengthPrefixed(record.nalUnits(ofType: .prefixSEI) + record.nalUnits(ofType: .suffixSEI))
        return source.frames.map { frame in
            guard frame.trackID == video.trackID, frame.isKeyframe else { return frame }
            var copy = frame
            copy.payload = sei + frame.payload
            return copy
        }
    }

    func testSplitsDoNotMatter() throws {
        let bytes = try readFile(ContainerFixture.h264AAC.ts)
        let (whole, _) = readTS(bytes)
        for chunk in [1, 100, 188, 1316, 7000] {
            let (pieces, statistics) = readTS(bytes, chunkSize: chunk)
            XCTAssertEqual(pieces.events, whole.events, "chunks of \(chunk)")
            XCTAssertEqual(statistics.skippedBytes, 0)
        }
    }

    /// Garbage between packets is skipped; the frames are all there.
    func testSyncIsRecoveredAfterGarbage() throws {
        let bytes = try readFile(ContainerFixture.h264AAC.ts)
        let garbage: [UInt8] = [0x47, 1, 2, 3, 0x47, 0x47, 9]  // sync bytes that are not packet starts
        let cut = 188 * 40
        let (result, statistics) = readTS(Array(bytes[..<cut]) + garbage + Array(bytes[cut...]))
        XCTAssertEqual(statistics.skippedBytes, garbage.count)
        XCTAssertEqual(result.frames, readTS(bytes).0.frames)
        // Garbage before the first packet too.
        let (leading, leadingStatistics) = readTS(garbage + bytes, chunkSize: 500)
        XCTAssertEqual(leadingStatistics.skippedBytes, garbage.count)
        XCTAssertEqual(leading.frames, readTS(bytes).0.frames)
    }

    /// A packet lost in the middle of a video PES: that frame is dropped, every other frame
    /// (the video before and after, all the audio) is read.
    func testContinuityErrorDropsOnlyTheBrokenPES() throws {
        for fixtureTS in [try readFile(ContainerFixture.h264AAC.ts),
                          try writeTS(try ContainerFixture.h264AAC.source().frames,
                                      tracks: try ContainerFixture.h264AAC.source().tracks)] {
            let packets = stride(from: 0, to: fixtureTS.count, by: 188).map { Array(fixtureTS[$0..<$0 + 188]) }
            let videoPID: UInt16 = 0x100
            func pid(_ p: [UInt8]) -> UInt16 { UInt16(p[1] & 0x1F) << 8 | UInt16(p[2]) }
            // The 30th video PES start, and the packet after it (same PES, not a start).
            let starts = packets.indices.filter { pid(packets[$0]) == videoPID && packets[$0][1] & 0x40 != 0 }
            let victim = starts[30] + 1
            XCTAssertEqual(pid(packets[victim]), videoPID)
            XCTAssertEqual(packets[victim][1] & 0x40, 0)
            var damaged = packets
            damaged.remove(at: victim)
            let (full, _) = readTS(fixtureTS)
            let (result, statistics) = readTS(damaged.flatMap { $0 })
            XCTAssertEqual(statistics.continuityErrors, 1)
            XCTAssertEqual(statistics.droppedPES, 1)
            var expected = full.frames(track: 1)
            expected.remove(at: 30)
            XCTAssertEqual(result.frames(track: 1), expected)
            XCTAssertEqual(result.frames(track: 2), full.frames(track: 2))
        }
    }

    /// PTS/DTS that pass 2^33 (26.5 hours) keep increasing: the wrap is unwrapped.
    func testTimestampsPastTwoToThe33StayMonotonic() throws {
        let source = try ContainerFixture.h264AAC.source()
        let start = Int64(1) << 33 - 90_000  // one second before the wrap
        let bytes = try writeTS(source.frames, tracks: source.tracks, startTime: start)
        let (result, _) = readTS(bytes)
        XCTAssertEqual(result.errors.map { "\($0)" }, [])
        for track: UInt32 in [1, 2] {
            let frames = result.frames(track: track)
            XCTAssertEqual(frames.count, source.frames.filter { $0.trackID == track }.count)
            let dts = frames.map(\.dts)
            XCTAssertEqual(dts, dts.sorted(), "track \(track) decoding times are monotonic")
            XCTAssertGreaterThan(dts.last!, Int64(1) << 32, "track \(track) went past the wrap")
        }
        // The same frames as without the wrap, moved by the start.
        let (plain, _) = readTS(try writeTS(source.frames, tracks: source.tracks))
        let shift = start - TSWriter.defaultStartTime
        XCTAssertEqual(result.frames(track: 1).map(\.pts), plain.frames(track: 1).map { $0.pts + shift })
        XCTAssertEqual(result.frames(track: 1).map(\.payload), plain.frames(track: 1).map(\.payload))
        XCTAssertEqual(result.frames(track: 2).map(\.payload), plain.frames(track: 2).map(\.payload))
    }

    func testUnwrapper() {
        var unwrapper = TimestampUnwrapper(bits: 33)
        let top: UInt64 = 1 << 33
        XCTAssertEqual(unwrapper.unwrap(top - 10), Int64(top) - 10)
        XCTAssertEqual(unwrapper.unwrap(5), Int64(top) + 5)
        XCTAssertEqual(unwrapper.unwrap(top - 3), Int64(top) - 3)  // a small step back across the wrap
        XCTAssertEqual(unwrapper.unwrap(100), Int64(top) + 100)
        XCTAssertEqual(unwrapper.unwrap(top / 2 + 50), Int64(top) + Int64(top / 2) + 50)
        XCTAssertEqual(unwrapper.unwrap(10), 2 * Int64(top) + 10)
    }

    func testPESHeaderRoundTrip() throws {
        let top = PESHeader.timestampModulus
        for (pts, dts) in [(UInt64(0), UInt64?.none), (top - 1, top - 3001), (123_456_789, 123_450_000)] {
            let header = PESHeader(streamID: 0xE0, pts: pts, dts: dts, payloadLength: 100)
            let parsed = try PESHeader(parsing: header.serialized() + [UInt8](repeating: 0, count: 100), pid: 1)
            XCTAssertEqual(parsed, header)
            XCTAssertEqual(parsed.pts, pts)
            XCTAssertEqual(parsed.dts, dts)
        }
        // Too long for PES_packet_length: 0, unbounded.
        XCTAssertEqual(PESHeader(streamID: 0xE0, pts: 0, dts: nil, payloadLength: 70_000).packetLength, 0)
    }

    func testTablesRoundTrip() throws {
        let pat = ProgramAssociationTable(programs: [(1, 0x1000)])
        XCTAssertEqual(try ProgramAssociationTable(section: PSISection(parsing: pat.section.serialized(), pid: 0), pid: 0), pat)
        let pmt = ProgramMapTable(programNumber: 1, pcrPID: 0x100,
                                  streams: [.init(streamType: .h265, pid: 0x100), .init(streamType: .adtsAAC, pid: 0x101)])
        XCTAssertEqual(try ProgramMapTable(section: PSISection(parsing: pmt.section.serialized(), pid: 0x1000), pid: 0x1000), pmt)
        var damaged = pmt.section.serialized()
        damaged[9] ^= 1
        XCTAssertThrowsError(try PSISection(parsing: damaged, pid: 0x1000))
        // The CRC of the MPEG-2 check value.
        XCTAssertEqual(MPEG2CRC32.checksum(Array("123456789".utf8)), 0x0376_E6E7)
    }
}

/// The reader's record holds the same parameter sets as the MP4's (ffmpeg's TS repeats them
/// in band, the reader takes them out of band again).
func assertSameParameterSets(_ actual: SampleDescription, _ expected: SampleDescription, _ message: String,
                             file: StaticString = #filePath, line: UInt = #line) throws {
    switch expected.codec {
    case .h264:
        let a = try AVCDecoderConfigurationRecord(parsing: actual.configuration)
        let e = try AVCDecoderConfigurationRecord(parsing: expected.configuration)
        XCTAssertEqual(a.sequenceParameterSets, e.sequenceParameterSets, message, file: file, line: line)
        XCTAssertEqual(a.pictureParameterSets, e.pictureParameterSets, message, file: file, line: line)
    case .h265:
        let a = try HEVCDecoderConfigurationRecord(parsing: actual.configuration)
        let e = try HEVCDecoderConfigurationRecord(parsing: expected.configuration)
        XCTAssertEqual(a.videoParameterSets, e.videoParameterSets, message, file: file, line: line)
        XCTAssertEqual(a.sequenceParameterSets, e.sequenceParameterSets, message, file: file, line: line)
        XCTAssertEqual(a.pictureParameterSets, e.pictureParameterSets, message, file: file, line: line)
    case .aac:
        // ADTS holds the 2-byte form; the MP4's may add explicit "no SBR" signalling.
        let a = try AudioSpecificConfig(parsing: actual.configuration)
        let e = try AudioSpecificConfig(parsing: expected.configuration)
        XCTAssertEqual([a.audioObjectType, a.channelConfiguration], [e.audioObjectType, e.channelConfiguration], message,
                       file: file, line: line)
        XCTAssertEqual(a.outputSampleRate, e.outputSampleRate, message, file: file, line: line)
    default:
        // The other codecs carry their setup as-is: the records must match byte for byte.
        XCTAssertEqual(actual.configuration, expected.configuration, message, file: file, line: line)
    }
}
