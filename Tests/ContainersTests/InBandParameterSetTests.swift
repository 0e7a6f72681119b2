import Containers
import MediaCore
import TestSupport
import XCTest

/// An FLV/RTMP H.264 stream that changes resolution with its parameter sets in band (in the
/// key frame) and no new sequence header gets a new sample description, as MPEG-TS does.
/// resolution_change.flv is such a stream: ffmpeg's concat of a 320x240 and a 640x480 file
/// sends one AVC sequence header and the second file's SPS and PPS inside its first key frame.
final class InBandParameterSetTests: XCTestCase {
    static let fixture = "flv/resolution_change.flv"

    private func tags() throws -> [FLVTag] {
        var reader = FLVReader()
        reader.push(try FileSystem.readFile(TestPaths.fixture(Self.fixture)))
        var tags: [FLVTag] = []
        while let (tag, _) = try reader.nextTag() { tags.append(tag) }
        return tags
    }

    func testKeyFrameWithNewParameterSetsAddsADescription() throws {
        let tags = try tags()
        let sequenceHeaders = tags.filter { tag in
            guard tag.kind == .video, let body = try? FLVVideoTagBody(parsing: tag.body) else { return false }
            if case .sequenceStart = body.packet { return true }
            return false
        }
        XCTAssertEqual(sequenceHeaders.count, 1, "the fixture announces the change in band only")
        var demuxer = FLVTagDemuxer()
        var events: [DemuxEvent] = []
        for tag in tags { events += try demuxer.demux(tag) }
        let video = try XCTUnwrap(demuxer.trackDescriptions.first { $0.trackID == ContainerTrackID.video })
        XCTAssertEqual(video.sampleDescriptions.map { [$0.width, $0.height] }, [[320, 240], [640, 480]])
        let indices = events.compactMap(\.frame).filter { $0.trackID == ContainerTrackID.video }.map(\.sampleDescriptionIndex)
        XCTAssertEqual(Set(indices), [1, 2])
        XCTAssertEqual(indices, indices.sorted(), "every frame after the change uses description 2")
        // The record holds the key frame's own SPS and PPS.
        let record = try AVCDecoderConfigurationRecord(parsing: video.sampleDescriptions[1].configuration)
        let change = try XCTUnwrap(events.compactMap(\.frame).first { $0.sampleDescriptionIndex == 2 })
        XCTAssertTrue(change.isKeyframe)
        let units = try NALUnit.splitLengthPrefixed(change.payload).map(Array.init)
        XCTAssertEqual(record.sequenceParameterSets, units.filter { H264NALUnitType(nalUnit: $0) == .sequenceParameterSet })
        XCTAssertEqual(record.pictureParameterSets, units.filter { H264NALUnitType(nalUnit: $0) == .pictureParameterSet })
    }

    /// Written again as FLV (which sends a sequence header at each description change), the
    /// stream decodes in ffmpeg to the frames of the original file, in both sizes.
    func testTheNewDescriptionDecodesInFFmpeg() throws {
        try FFmpegCheck.require()
        var demuxer = FLVTagDemuxer()
        var frames: [MediaFrame] = []
        for tag in try tags() { frames += try demuxer.demux(tag).compactMap(\.frame) }
        let path = TestPaths.temporaryDirectory("inband") + "/inband.flv"
        let writer = try FLVFileWriter(path: path, tracks: demuxer.trackDescriptions)
        for frame in frames { try writer.write(frame) }
        try writer.close()
        XCTAssertEqual(try FFmpegCheck.complaints(path), "")
        let original = TestPaths.fixture(Self.fixture)
        XCTAssertEqual(hashColumn(try FFmpegCheck.frameHashes(path, stream: "v")), hashColumn(try FFmpegCheck.frameHashes(original, stream: "v")))
    }
}
