@testable import Containers
import Foundation
import ISOBMFF
import MediaCore
import TestSupport
import XCTest

final class TSWriterTests: XCTestCase {
    /// MP4 samples -> TS -> reader: the same frames, timestamps rounded to 90 kHz (video) and
    /// back to the sample rate (audio, exact for 48 kHz).
    func testWriteThenReadGivesTheSameFrames() throws {
        for fixture in ContainerFixture.allCases {
            let source = try fixture.source()
            let (result, statistics) = readTS(try writeTS(source.frames, tracks: source.tracks))
            XCTAssertEqual(result.errors.map { "\($0)" }, [], fixture.rawValue)
            XCTAssertEqual(statistics.continuityErrors + statistics.droppedPES + statistics.invalidSections, 0)
            let tracks = result.tracks
            for track in source.tracks {
                let read = try XCTUnwrap(tracks[track.trackID])
                try assertSameParameterSets(read.sampleDescriptions[0], track.sampleDescriptions[0], fixture.rawValue)
            }
            assertSameFrames(result.frames, actualTracks: tracks, source.frames, expectedTracks: source.tracks,
                             tolerance: 1.0 / 90_000)
        }
    }

    func testPacketStructure() throws {
        let source = try ContainerFixture.h264AAC.source()
        let bytes = try writeTS(source.frames, tracks: source.tracks)
        XCTAssertEqual(bytes.count % 188, 0)
        var counters: [UInt16: UInt8] = [:]
        var lastTables = -1
        var keyframesWithTables = 0, keyframes = 0, pcrs = 0
        for (index, start) in stride(from: 0, to: bytes.count, by: 188).enumerated() {
            let packet = try TSPacket(parsing: Array(bytes[start..<start + 188]))
            if let previous = counters[packet.pid] { XCTAssertEqual(packet.continuityCounter, (previous + 1) & 15) }
            counters[packet.pid] = packet.continuityCounter
            if packet.pid == 0 { lastTables = index }
            if packet.adaptationField?.pcr != nil {
                XCTAssertEqual(packet.pid, TSWriter.videoPID)
                pcrs += 1
            }
            if packet.adaptationField?.randomAccess == true {
                keyframes += 1
                // PAT, PMT, then the keyframe's first packet.
                if lastTables == index - 2 { keyframesWithTables += 1 }
            }
        }
        XCTAssertEqual(keyframes, source.frames.filter { $0.trackID == 1 && $0.isKeyframe }.count)
        XCTAssertEqual(keyframesWithTables, keyframes)
        XCTAssertEqual(pcrs, source.frames.filter { $0.trackID == 1 }.count)
        XCTAssertEqual(Set(counters.keys), [0, TSWriter.pmtPID, TSWriter.videoPID, TSWriter.audioPID])
    }

    /// Without video the PCR is on the audio PID, and PAT/PMT still repeat every 100 ms.
    func testAudioOnlyCarriesPCRAndRepeatsTables() throws {
        let source = try ContainerFixture.aacOnly.source()
        let bytes = try writeTS(source.frames, tracks: source.tracks)
        var tables = 0
        for start in stride(from: 0, to: bytes.count, by: 188) {
            let packet = try TSPacket(parsing: Array(bytes[start..<start + 188]))
            if packet.adaptationField?.pcr != nil { XCTAssertEqual(packet.pid, TSWriter.audioPID) }
            if packet.pid == 0 { tables += 1 }
        }
        XCTAssertGreaterThanOrEqual(tables, 29)  // 3 s of audio
        XCTAssertLessThanOrEqual(tables, 32)
    }

    /// A video access unit too large for PES_packet_length goes out unbounded (length 0) and
    /// reads back whole.
    func testPESTooLongForItsLengthField() throws {
        let source = try ContainerFixture.h264Only.source()
        var frames = Array(source.frames.prefix(3))
        let filler = [UInt8(0x0C)] + [UInt8](repeating: 0xFF, count: 70_000)  // H.264 filler data NAL unit
        frames[1].payload += try NALUnit.lengthPrefixed([filler])
        let (result, _) = readTS(try writeTS(frames, tracks: source.tracks))
        XCTAssertEqual(result.frames.map(\.payload), frames.map(\.payload))
    }

    func testResolutionChangeGivesASecondSampleDescription() throws {
        let (tracks, frames) = try resolutionChange()
        let (result, _) = readTS(try writeTS(frames, tracks: tracks))
        XCTAssertEqual(result.errors.map { "\($0)" }, [])
        let announced = result.events.compactMap { event -> UInt16? in
            if case let .sampleDescription(1, index, description) = event, description.width == 640 { return index }
            return nil
        }
        XCTAssertEqual(announced, [2])
        XCTAssertEqual(result.frames(track: 1).map(\.sampleDescriptionIndex), frames.map(\.sampleDescriptionIndex))
        XCTAssertEqual(result.frames(track: 1).map(\.payload), frames.map(\.payload))
    }

    /// ffmpeg decodes our TS of each fixture silently to the source's frames (H.265 too).
    func testFFmpegDecodesTheWrittenTSLikeTheSource() throws {
        try FFmpegCheck.require()
        let directory = TestPaths.temporaryDirectory("ts-interop")
        for fixture in ContainerFixture.allCases {
            let source = try fixture.source()
            let path = "\(directory)/\(fixture.rawValue).ts"
            let writer = try TSFileWriter(path: path, tracks: source.tracks)
            for frame in source.frames { try writer.write(frame) }
            try writer.close()
            try assertDecodesLikeSource(path, source: fixture.mp4)
        }
    }

    func testResolutionChangeDecodesInFFmpeg() throws {
        try FFmpegCheck.require()
        let (tracks, frames) = try resolutionChange()
        let path = TestPaths.temporaryDirectory("ts-res") + "/change.ts"
        let writer = try TSFileWriter(path: path, tracks: tracks)
        for frame in frames { try writer.write(frame) }
        try writer.close()
        XCTAssertEqual(try FFmpegCheck.complaints(path), "")
        let sizes = try ExternalTool.run("ffprobe", ["-v", "error", "-select_streams", "v", "-show_entries", "frame=width",
                                                     "-of", "csv=p=0", path]).stdout
        XCTAssertEqual(Set(sizes.split(separator: "\n").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ", ")) }),
                       ["320", "640"])
    }
}
