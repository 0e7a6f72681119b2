import Containers
import Foundation
import ISOBMFF
import MediaCore
import TestSupport
import XCTest

final class FLVWriterTests: XCTestCase {
    /// MP4 samples -> FLV -> reader: the same frames, timestamps rounded to milliseconds
    /// exactly as the writer rounds them.
    func testWriteThenReadGivesTheSameFrames() throws {
        for fixture in ContainerFixture.allCases {
            let source = try fixture.source()
            let bytes = try writeFLV(source.frames, tracks: source.tracks)
            let result = readFLV(bytes)
            XCTAssertEqual(result.errors.map { "\($0)" }, [], fixture.rawValue)
            let tracks = result.tracks
            for track in source.tracks {
                XCTAssertEqual(tracks[track.trackID]?.sampleDescriptions, track.sampleDescriptions, fixture.rawValue)
            }
            assertSameFrames(result.frames, actualTracks: tracks, source.frames, expectedTracks: source.tracks,
                             tolerance: 0.0011)
            // Exactly the writer's rounding: ms = round(t * 1000 / timescale) - first dts.
            let scale = Dictionary(uniqueKeysWithValues: source.tracks.map { ($0.trackID, $0.timescale) })
            func ms(_ value: Int64, _ track: UInt32) -> Int64 {
                Int64((Double(value) * 1000 / Double(scale[track]!)).rounded(.toNearestOrAwayFromZero))
            }
            let origin = ms(source.frames[0].dts, source.frames[0].trackID)
            XCTAssertEqual(result.frames.map(\.dts), source.frames.map { max(0, ms($0.dts, $0.trackID) - origin) }, fixture.rawValue)
            XCTAssertEqual(result.frames.map(\.pts), source.frames.map { ms($0.pts, $0.trackID) - origin }, fixture.rawValue)
        }
    }

    func testFileWriterPatchesDurationAndFileSizeOnClose() throws {
        let source = try ContainerFixture.h264AAC.source()
        let path = TestPaths.temporaryDirectory("flv") + "/out.flv"
        let writer = try FLVFileWriter(path: path, tracks: source.tracks)
        for frame in source.frames { try writer.write(frame) }
        // Before close: the fields are there, 0.
        var early = FLVReader()
        early.push(try readFile(path))
        guard case let .metadata(before)? = try early.next() else { return XCTFail("no metadata") }
        XCTAssertEqual(before["duration"], .number(0))
        XCTAssertEqual(before["filesize"], .number(0))
        try writer.close()
        try writer.close()
        XCTAssertThrowsError(try writer.write(source.frames[0]))

        let bytes = try readFile(path)
        var reader = FLVReader()
        reader.push(bytes)
        guard case let .metadata(metadata)? = try reader.next() else { return XCTFail("no metadata") }
        XCTAssertEqual(metadata["filesize"], .number(Double(bytes.count)))
        // The duration ffmpeg writes for the same frames (3.08 s: first decoding time to the
        // end of the last frame), within one audio frame: ffmpeg knows the last AAC frame's
        // duration trimmed by the MP4's edit list; a frame stream does not.
        guard case let .metadata(ffmpegMetadata)? = readFLV(try readFile(ContainerFixture.h264AAC.flv!)).events.first else {
            return XCTFail("no metadata in the fixture")
        }
        XCTAssertEqual(metadata["duration"]?.number ?? 0, ffmpegMetadata["duration"]?.number ?? -1, accuracy: 0.022)
        XCTAssertEqual(metadata["width"], .number(320))
        XCTAssertEqual(metadata["height"], .number(240))
        XCTAssertEqual(metadata["framerate"]?.number ?? 0, 25, accuracy: 0.01)
        XCTAssertEqual(metadata["videocodecid"], .number(7))
        XCTAssertEqual(metadata["audiocodecid"], .number(10))
        XCTAssertEqual(metadata["audiosamplerate"], .number(48000))
        XCTAssertEqual(metadata["audiochannels"], .number(2))
        XCTAssertEqual(metadata["stereo"], .boolean(true))

        try FFmpegCheck.require()
        let format = try ExternalTool.run("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path])
        XCTAssertEqual(Double(format.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, 3.0, accuracy: 0.1)
    }

    /// A new SPS mid-stream (320x240, then 640x480): a second sample description, announced
    /// once, and the frames after it carry index 2.
    /// The file writer puts a frame's payload in the file without copying it (head, payload,
    /// tail in one writev); those parts joined are the tags `tags(for:)` gives, byte for byte,
    /// sequence headers (including a mid-stream one) and PreviousTagSize included.
    func testFileBytesInPartsEqualTheTags() throws {
        let (changeTracks, changeFrames) = try resolutionChange()
        var cases = try ContainerFixture.allCases.map { try $0.source() }.map { ($0.tracks, $0.frames) }
        cases.append((changeTracks, changeFrames))
        for (tracks, frames) in cases {
            var partsMuxer = try FLVTagMuxer(tracks: tracks)
            var tagsMuxer = try FLVTagMuxer(tracks: tracks)
            for frame in frames {
                let parts = try partsMuxer.fileBytes(for: frame)
                XCTAssertTrue(parts.payload == frame.payload, "the payload part is the frame's own bytes")
                var expected = ByteWriter()
                for tag in try tagsMuxer.tags(for: frame) { try tag.write(to: &expected) }
                XCTAssertEqual(parts.joined, expected.bytes)
            }
        }
    }

    func testResolutionChangeGivesASecondSampleDescription() throws {
        let (tracks, frames) = try resolutionChange()
        let result = readFLV(try writeFLV(frames, tracks: tracks))
        XCTAssertEqual(result.errors.map { "\($0)" }, [])
        let announced = result.events.compactMap { event -> (UInt16, SampleDescription)? in
            if case let .sampleDescription(1, index, description) = event { return (index, description) }
            return nil
        }
        XCTAssertEqual(announced.map(\.0), [2])
        XCTAssertEqual(announced.first?.1.width, 640)
        XCTAssertEqual(result.frames(track: 1).map(\.sampleDescriptionIndex), frames.map(\.sampleDescriptionIndex))
        XCTAssertEqual(result.frames(track: 1).map(\.payload), frames.map(\.payload))
    }

    /// ffmpeg decodes our FLV of each fixture silently to the source's frames. HEVC is left
    /// out: ffmpeg 5.1 reads neither enhanced nor CodecID 12 HEVC in FLV (6.1 added enhanced).
    func testFFmpegDecodesTheWrittenFLVLikeTheSource() throws {
        try FFmpegCheck.require()
        let directory = TestPaths.temporaryDirectory("flv-interop")
        for fixture in ContainerFixture.allCases where fixture != .h265AAC {
            let source = try fixture.source()
            let path = "\(directory)/\(fixture.rawValue).flv"
            let writer = try FLVFileWriter(path: path, tracks: source.tracks)
            for frame in source.frames { try writer.write(frame) }
            try writer.close()
            try assertDecodesLikeSource(path, source: fixture.mp4)
        }
    }

    func testResolutionChangeDecodesInFFmpeg() throws {
        try FFmpegCheck.require()
        let (tracks, frames) = try resolutionChange()
        let path = TestPaths.temporaryDirectory("flv-res") + "/change.flv"
        let writer = try FLVFileWriter(path: path, tracks: tracks)
        for frame in frames { try writer.write(frame) }
        try writer.close()
        XCTAssertEqual(try FFmpegCheck.complaints(path), "")
        let sizes = try ExternalTool.run("ffprobe", ["-v", "error", "-select_streams", "v", "-show_entries", "frame=width",
                                                     "-of", "csv=p=0", path]).stdout
        XCTAssertEqual(Set(sizes.split(separator: "\n").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ", ")) }),
                       ["320", "640"])
    }

    func testFramesOfUnknownTracksThrow() throws {
        let source = try ContainerFixture.h264Only.source()
        var writer = try FLVWriter(tracks: source.tracks)
        var frame = source.frames[0]
        frame.trackID = 9
        XCTAssertThrowsError(try writer.write(frame))
        frame.trackID = 1
        frame.sampleDescriptionIndex = 2
        XCTAssertThrowsError(try writer.write(frame))
    }
}

/// The video of h264_aac.mp4 followed by h264_640x480.mp4's: one track, two descriptions.
func resolutionChange() throws -> (tracks: [TrackDescription], frames: [MediaFrame]) {
    let first = try ContainerFixture.h264Only.source()
    let secondReader = try MP4Reader(path: TestPaths.fixture("mp4/h264_640x480.mp4"))
    var track = first.tracks[0]
    XCTAssertEqual(track.timescale, secondReader.tracks[0].timescale)
    track.sampleDescriptions += secondReader.tracks[0].sampleDescriptions
    let end = (first.frames.map(\.dts).max() ?? 0) + 512 * 3
    let second = try secondReader.frames().map { frame -> MediaFrame in
        var copy = frame
        copy.trackID = track.trackID
        copy.dts += end
        copy.pts += end
        copy.sampleDescriptionIndex = 2
        return copy
    }
    return ([track], first.frames + second)
}
