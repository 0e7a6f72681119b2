import XCTest
import MediaCore

/// AV1 OBUs, sequence header, av1C and sync samples, on a file ffmpeg 9 made with libsvtav1
/// (Tests/Fixtures/mp4/README.md): what it wrote is the reference.
final class AV1Tests: XCTestCase {
    static let fixture = "mp4/av1_160x120.mp4"

    func testAV1CFromFFmpegParsesAndSerializesToTheSameBytes() throws {
        let av1C = try boxBody("av1C", inFixture: Self.fixture)
        let record = try AV1CodecConfigurationRecord(parsing: av1C)
        XCTAssertEqual(record.serialized(), av1C)
        XCTAssertEqual(record.seqProfile, 0)
        XCTAssertFalse(record.highBitDepth)
        XCTAssertTrue(record.chromaSubsamplingX && record.chromaSubsamplingY)
        let header = try XCTUnwrap(try record.sequenceHeader())
        XCTAssertEqual(header.maxFrameWidth, 160)
        XCTAssertEqual(header.maxFrameHeight, 120)
        XCTAssertEqual(header.bitDepth, 8)
        XCTAssertEqual(header.seqLevelIndex0, record.seqLevelIndex0)
        let description = try SampleDescription.av1(configuration: av1C)
        XCTAssertEqual([description.width, description.height], [160, 120])
        XCTAssertEqual(description.codec, .av1)
    }

    func testRecordBuiltFromTheKeyFramesSequenceHeaderAgreesWithFFmpegs() throws {
        let av1C = try boxBody("av1C", inFixture: Self.fixture)
        let first = try XCTUnwrap(try samples(inFixture: Self.fixture).first)
        let unit = try AV1TemporalUnit(parsing: first)
        let obu = try XCTUnwrap(unit.sequenceHeaderOBU)
        let built = AV1CodecConfigurationRecord(sequenceHeader: try AV1SequenceHeader(payload: obu.payload), sequenceHeaderOBU: obu)
        // libsvtav1's extradata header (in ffmpeg's av1C) and the one in the key frame differ
        // in later flags; the fixed fields must agree and configOBUs must be the in-band OBU.
        XCTAssertEqual(Array(built.serialized().prefix(4)), Array(av1C.prefix(4)))
        XCTAssertEqual(built.configOBUs, obu.serializedWithSize())
        XCTAssertEqual(try built.sequenceHeader()?.maxFrameWidth, 160)
    }

    func testSyncSamplesFromTheBitstreamAreTheOnesFFmpegMarked() throws {
        // ffprobe -show_entries packet=flags: K_ on samples 0 and 10 (GOP 10), hidden frames
        // and show_existing_frame units between them.
        let units = try samples(inFixture: Self.fixture).map { try AV1TemporalUnit(parsing: $0) }
        XCTAssertEqual(units.count, 20)
        XCTAssertEqual(units.indices.filter { units[$0].isSyncSample }, [0, 10])
    }

    func testSampleBytesKeepSizedOBUsAndDropTemporalDelimiters() throws {
        let sample = try XCTUnwrap(try samples(inFixture: Self.fixture).first)
        // MP4 samples have no temporal delimiter already: the bytes come back unchanged.
        XCTAssertEqual(try AV1TemporalUnit(parsing: sample).sampleBytes(), sample)
        // The low-overhead form with a delimiter (as in an OBU stream) loses only the delimiter.
        let delimited: [UInt8] = [0x12, 0x00] + sample
        XCTAssertEqual(try AV1TemporalUnit(parsing: delimited).sampleBytes(), sample)
    }

    func testOBUWithoutSizeFieldRunsToTheEnd() throws {
        // A temporal delimiter with a size, then a padding OBU without one.
        let obus = try AV1OBU.split([0x12, 0x00, 0x78, 0xAA, 0xBB])
        XCTAssertEqual(obus.map(\.kind), [.temporalDelimiter, .padding])
        XCTAssertEqual(obus[1].payload, [0xAA, 0xBB])
        XCTAssertEqual(obus[1].serializedWithSize(), [0x7A, 0x02, 0xAA, 0xBB])
    }

    func testCutDataThrowsAtEveryLength() throws {
        let av1C = try boxBody("av1C", inFixture: Self.fixture)
        let record = try AV1CodecConfigurationRecord(parsing: av1C)
        let obu = try XCTUnwrap(try AV1OBU.split(record.configOBUs).first)
        for length in 0..<obu.payload.count - 1 {
            XCTAssertThrowsError(try AV1SequenceHeader(payload: Array(obu.payload.prefix(length))), "length \(length)")
        }
        for length in 0..<4 {
            XCTAssertThrowsError(try AV1CodecConfigurationRecord(parsing: Array(av1C.prefix(length))))
        }
        // An obu_size past the data.
        XCTAssertThrowsError(try AV1OBU.split([0x0A, 0x7F, 0x00]))
        // A leb128 that never ends.
        XCTAssertThrowsError(try AV1OBU.split([0x0A] + [UInt8](repeating: 0x80, count: 9)))
    }
}
