import XCTest
import MediaCore
import TestSupport

final class NALUnitTests: XCTestCase {
    private let sps = H264Fixture.all[0].sps
    private let pps = H264Fixture.all[0].pps
    private let slice: [UInt8] = [0x65, 0x88, 0x84, 0x00, 0x00, 0x03, 0x01, 0xFF]

    func testSplitAnnexBWithThreeAndFourByteStartCodes() throws {
        let stream = [0, 0, 0, 1] + sps + [0, 0, 1] + pps + [0, 0, 0, 1] + slice + [0, 0]
        let units = try NALUnit.splitAnnexB(stream)
        XCTAssertEqual(units.map(Array.init), [sps, pps, slice])
        XCTAssertEqual(units[0].startIndex, 4)  // slices keep the input's indices
        XCTAssertEqual(units.compactMap { H264NALUnitType(nalUnit: $0) }, [.sequenceParameterSet, .pictureParameterSet, .idrSlice])
    }

    func testSplitAnnexBEdgeCases() throws {
        XCTAssertEqual(try NALUnit.splitAnnexB([]).count, 0)
        // Leading zero bytes, empty units between start codes and trailing zeros are dropped.
        let stream: [UInt8] = [0, 0, 0, 0, 0, 1, 0, 0, 1, 0x09, 0xF0, 0, 0, 0, 0, 1, 0x67, 0, 0, 0]
        XCTAssertEqual(try NALUnit.splitAnnexB(stream).map(Array.init), [[0x09, 0xF0], [0x67]])
        XCTAssertThrowsError(try NALUnit.splitAnnexB([0x67, 0x64, 0x00])) { error in
            XCTAssertEqual(error as? CodecError, .invalidAnnexB(reason: "no start code", at: 0))
        }
        XCTAssertThrowsError(try NALUnit.splitAnnexB([0x00, 0x42, 0x00, 0x00, 0x01, 0x67])) { error in
            XCTAssertEqual(error as? CodecError, .invalidAnnexB(reason: "data before the first start code", at: 1))
        }
        // Emulation prevention keeps 0x000003 from being taken as a start code.
        XCTAssertEqual(try NALUnit.splitAnnexB([0, 0, 1] + slice).map(Array.init), [slice])
    }

    func testLengthPrefixedIteration() throws {
        for size in NALUnitLengthSize.allCases {
            let sample = try NALUnit.lengthPrefixed([sps, pps, slice], lengthSize: size)
            XCTAssertEqual(sample.count, 3 * size.rawValue + sps.count + pps.count + slice.count)
            XCTAssertEqual(try NALUnit.splitLengthPrefixed(sample, lengthSize: size).map(Array.init), [sps, pps, slice])
            var iterator = LengthPrefixedNALUnitIterator(sample, lengthSize: size)
            var count = 0
            while let unit = try iterator.next() {
                XCTAssertFalse(unit.isEmpty)
                count += 1
            }
            XCTAssertEqual(count, 3)
            XCTAssertEqual(iterator.position, sample.count)
        }
    }

    func testLengthPrefixedBoundsChecks() throws {
        let sample = try NALUnit.lengthPrefixed([sps, slice])
        for length in 1..<sample.count where length != 4 + sps.count {
            XCTAssertThrowsError(try NALUnit.splitLengthPrefixed(Array(sample.prefix(length))), "cut to \(length)")
        }
        // A length past the end names the unit and the bytes that remain.
        XCTAssertThrowsError(try NALUnit.splitLengthPrefixed([0, 0, 0, 9, 0x65, 0x88])) { error in
            XCTAssertEqual(error as? CodecError, .truncated(structure: "length-prefixed NAL units", field: "NAL unit",
                                                            .truncated(needed: 9, remaining: 2, at: 4)))
        }
        XCTAssertThrowsError(try NALUnit.splitLengthPrefixed([0, 0, 0, 0]))
        XCTAssertThrowsError(try NALUnit.splitLengthPrefixed([0xFF, 0xFF, 0xFF, 0xFF, 0x65]))
        XCTAssertThrowsError(try NALUnit.lengthPrefixed([[UInt8](repeating: 0x65, count: 256)], lengthSize: .one)) { error in
            XCTAssertEqual(error as? CodecError, .limitExceeded(structure: "length-prefixed NAL units", field: "NAL unit length",
                                                                value: 256, limit: 255))
        }
        mutate(sample, count: 2000) { _ = try? NALUnit.splitLengthPrefixed($0) }
        mutate([0, 0, 1] + sample, count: 2000) { _ = try? NALUnit.splitAnnexB($0) }
    }

    func testAnnexBAndLengthPrefixedConvertBothWays() throws {
        let annexB = [0, 0, 0, 1] + sps + [0, 0, 1] + pps + [0, 0, 0, 1] + slice
        let mp4 = try NALUnit.annexBToLengthPrefixed(annexB)
        XCTAssertEqual(mp4, try NALUnit.lengthPrefixed([sps, pps, slice]))
        let back = try NALUnit.lengthPrefixedToAnnexB(mp4)
        XCTAssertEqual(back, NALUnit.startCode + sps + NALUnit.startCode + pps + NALUnit.startCode + slice)
        XCTAssertEqual(try NALUnit.annexBToLengthPrefixed(back), mp4)
    }

    func testEmulationPrevention() {
        XCTAssertEqual(NALUnit.rbsp(from: [0x00, 0x00, 0x03, 0x01]), [0x00, 0x00, 0x01])
        XCTAssertEqual(NALUnit.rbsp(from: [0x00, 0x00, 0x03, 0x00, 0x00, 0x03]), [0x00, 0x00, 0x00, 0x00])
        XCTAssertEqual(NALUnit.rbsp(from: [0x00, 0x03, 0x00, 0x03]), [0x00, 0x03, 0x00, 0x03])
        // The 1080p SPS has two emulation prevention bytes.
        let spsPayload = H264Fixture.all[1].sps
        let rbsp = NALUnit.rbsp(from: spsPayload)
        XCTAssertEqual(rbsp.count, spsPayload.count - 2)
        XCTAssertEqual(NALUnit.addingEmulationPrevention(rbsp), spsPayload)
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<200 {
            let random = (0..<64).map { _ in UInt8.random(in: 0...3, using: &rng) }
            let escaped = NALUnit.addingEmulationPrevention(random)
            XCTAssertEqual(NALUnit.rbsp(from: escaped), random)
            for i in 2..<max(2, escaped.count) where escaped[i - 2] == 0 && escaped[i - 1] == 0 {
                XCTAssertGreaterThan(escaped[i], 2, "no 0x000000...0x000002 after escaping")
            }
        }
    }

    func testNALUnitTypes() {
        XCTAssertEqual(H264NALUnitType(nalUnit: [0x65]), .idrSlice)
        XCTAssertTrue(H264NALUnitType.idrSlice.isIDR)
        XCTAssertTrue(H264NALUnitType(rawValue: 1).isVCL)
        XCTAssertFalse(H264NALUnitType.sei.isVCL)
        XCTAssertEqual(H264NALUnitType.accessUnitDelimiter.rawValue, 9)
        XCTAssertTrue(H264NALUnitType.pictureParameterSet.isParameterSet)
        XCTAssertNil(H264NALUnitType(nalUnit: [UInt8]()))

        XCTAssertEqual(H265NALUnitType(nalUnit: [0x40, 0x01]), .videoParameterSet)
        XCTAssertEqual(H265NALUnitType(nalUnit: [0x42, 0x01]), .sequenceParameterSet)
        XCTAssertEqual(H265NALUnitType(nalUnit: [0x44, 0x01]), .pictureParameterSet)
        XCTAssertEqual(H265NALUnitType(nalUnit: [0x46, 0x01]), .accessUnitDelimiter)
        XCTAssertEqual(H265NALUnitType(nalUnit: [0x26, 0x01])?.rawValue, 19)
        XCTAssertEqual((0...63).filter { H265NALUnitType(rawValue: $0).isIRAP }, Array(16...23))
        XCTAssertTrue(H265NALUnitType.cra.isIRAP)
        XCTAssertFalse(H265NALUnitType.cra.isIDR)
        XCTAssertTrue(H265NALUnitType.idrNoLeadingPictures.isIDR)
        XCTAssertFalse(H265NALUnitType.prefixSEI.isVCL)
    }

    /// ffmpeg's own Annex B output of the fixtures: split it and find the avcC/hvcC parameter sets.
    func testFFmpegAnnexBOutput() throws {
        guard let ffmpeg = ExternalTool.find("ffmpeg") else {
            if ExternalTool.isCI { XCTFail("ffmpeg is required under CI") }
            throw XCTSkip("ffmpeg not installed")
        }
        for (file, filter, format) in [("h264_aac.mp4", "h264_mp4toannexb", "h264"), ("h265_aac.mp4", "hevc_mp4toannexb", "hevc")] {
            let output = try ExternalTool.run(ffmpeg, ["-v", "error", "-i", TestPaths.fixture("mp4/\(file)"), "-c:v", "copy",
                                                       "-bsf:v", filter, "-frames:v", "3", "-f", format, "-"])
            XCTAssertEqual(output.status, 0, output.stderr)
            let stream = [UInt8](output.stdoutData)
            let units = try NALUnit.splitAnnexB(stream)
            XCTAssertGreaterThanOrEqual(units.count, 5, file)
            let roundTrip = try NALUnit.lengthPrefixedToAnnexB(try NALUnit.annexBToLengthPrefixed(stream))
            XCTAssertEqual(try NALUnit.splitAnnexB(roundTrip).map(Array.init), units.map(Array.init))
            if format == "h264" {
                let record = try AVCDecoderConfigurationRecord(parsing: try boxBody("avcC", inFixture: "mp4/\(file)"))
                let spsUnits = units.filter { H264NALUnitType(nalUnit: $0) == .sequenceParameterSet }.map(Array.init)
                XCTAssertEqual(spsUnits.first, record.sequenceParameterSets.first)
                XCTAssertTrue(units.contains { H264NALUnitType(nalUnit: $0) == .idrSlice })
            } else {
                let record = try HEVCDecoderConfigurationRecord(parsing: try boxBody("hvcC", inFixture: "mp4/\(file)"))
                let vps = units.filter { H265NALUnitType(nalUnit: $0) == .videoParameterSet }.map(Array.init)
                XCTAssertEqual(vps.first, record.videoParameterSets.first)
                XCTAssertTrue(units.contains { H265NALUnitType(nalUnit: $0)?.isIRAP == true })
            }
        }
    }
}
