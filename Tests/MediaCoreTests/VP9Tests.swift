import XCTest
import MediaCore

/// VP9 frame headers, superframes, vpcC and key frames, on a file ffmpeg 9 made with
/// libvpx-vp9 (Tests/Fixtures/mp4/README.md).
final class VP9Tests: XCTestCase {
    static let fixture = "mp4/vp9_160x120.mp4"

    func testVPCCFromFFmpegParsesAndSerializesToTheSameBytes() throws {
        let vpcC = try boxBody("vpcC", inFixture: Self.fixture)
        let record = try VPCodecConfigurationRecord(parsing: vpcC)
        XCTAssertEqual(record.serialized(), vpcC)
        XCTAssertEqual(record.profile, 0)
        XCTAssertEqual(record.bitDepth, 8)
        XCTAssertFalse(record.fullRange)
    }

    func testKeyFrameHeaderGivesProfileDepthAndSize() throws {
        let first = try XCTUnwrap(try samples(inFixture: Self.fixture).first)
        let header = try XCTUnwrap(try VP9Superframe.keyFrameHeader(first))
        XCTAssertEqual(header.profile, 0)
        XCTAssertTrue(header.isKeyFrame && header.showFrame)
        XCTAssertEqual(header.width, 160)
        XCTAssertEqual(header.height, 120)
        XCTAssertEqual(header.colorConfig?.bitDepth, 8)
        let built = try VPCodecConfigurationRecord(keyFrame: header)
        let ffmpegs = try VPCodecConfigurationRecord(parsing: try boxBody("vpcC", inFixture: Self.fixture))
        XCTAssertEqual(built.profile, ffmpegs.profile)
        XCTAssertEqual(built.bitDepth, ffmpegs.bitDepth)
        XCTAssertEqual(built.fullRange, ffmpegs.fullRange)
        let description = try SampleDescription.vp9(configuration: built.serialized(), keyFrame: header)
        XCTAssertEqual([description.width, description.height], [160, 120])
    }

    func testKeyFramesFromTheBitstreamAreTheOnesFFmpegMarked() throws {
        let all = try samples(inFixture: Self.fixture)
        XCTAssertEqual(all.count, 20)
        XCTAssertEqual(all.indices.filter { VP9Superframe.isKeyFrame(all[$0]) }, [0, 10])
    }

    func testSuperframeIndexSplitsFrames() throws {
        // Two frames of 3 and 2 bytes, one size byte each: marker 0b110_00_001.
        let sample: [UInt8] = [1, 2, 3, 4, 5, 0xC1, 3, 2, 0xC1]
        XCTAssertEqual(try VP9Superframe.frames(sample).map(Array.init), [[1, 2, 3], [4, 5]])
        // Sizes past the data are refused; a lone marker-like last byte is plain data.
        XCTAssertThrowsError(try VP9Superframe.frames([1, 2, 0xC1, 9, 9, 0xC1]))
        XCTAssertEqual(try VP9Superframe.frames([1, 2, 0xC1]).count, 1)
    }

    func testCutHeadersThrow() throws {
        let first = try XCTUnwrap(try samples(inFixture: Self.fixture).first)
        for length in 0..<9 {   // a profile 0 key frame header needs 68 bits
            XCTAssertThrowsError(try VP9FrameHeader(parsing: Array(first.prefix(length))), "length \(length)")
        }
        let vpcC = try boxBody("vpcC", inFixture: Self.fixture)
        for length in 0..<vpcC.count {
            XCTAssertThrowsError(try VPCodecConfigurationRecord(parsing: Array(vpcC.prefix(length))))
        }
    }
}
