import XCTest
@testable import MediaCore

final class H264Tests: XCTestCase {
    // MARK: SPS from real encoders

    func testSequenceParameterSetsMatchFFprobe() throws {
        for fixture in H264Fixture.all {
            let sps = try H264SequenceParameterSet(nalUnit: fixture.sps)
            XCTAssertEqual(sps.profileIdc, fixture.profileIdc, fixture.name)
            XCTAssertEqual(sps.levelIdc, fixture.levelIdc, fixture.name)
            XCTAssertEqual(sps.width, fixture.width, fixture.name)
            XCTAssertEqual(sps.height, fixture.height, fixture.name)
            XCTAssertEqual(sps.codedWidth, fixture.codedWidth, fixture.name)
            XCTAssertEqual(sps.codedHeight, fixture.codedHeight, fixture.name)
            XCTAssertEqual(sps.chromaFormatIdc, fixture.chromaFormatIdc, fixture.name)
            XCTAssertEqual(sps.bitDepthLuma, fixture.bitDepth, fixture.name)
            XCTAssertEqual(sps.bitDepthChroma, fixture.bitDepth, fixture.name)
            XCTAssertEqual(sps.frameMbsOnly, fixture.frameMbsOnly, fixture.name)
            XCTAssertEqual(sps.frameCropping, fixture.cropping, fixture.name)
            XCTAssertEqual(sps.id, 0, fixture.name)
            XCTAssertFalse(sps.separateColourPlane, fixture.name)
            // x264 codes B-frame streams with POC type 0 and the rest with type 2.
            if fixture.hasBFrames {
                guard case .type0 = sps.picOrderCount else { return XCTFail("\(fixture.name): \(sps.picOrderCount)") }
            } else {
                XCTAssertEqual(sps.picOrderCount, .type2, fixture.name)
            }
            // x264 writes VUI timing of two ticks per frame at 25 fps, and a 1:1 SAR.
            XCTAssertEqual(sps.framesPerSecond, 25, fixture.name)
            XCTAssertEqual(sps.vui?.sampleAspectRatio, .init(width: 1, height: 1), fixture.name)
        }
    }

    func testConstraintFlagsOfConstrainedBaseline() throws {
        let baseline = H264Fixture.all.first { $0.profileIdc == 66 }!
        let sps = try H264SequenceParameterSet(nalUnit: baseline.sps)
        // Constrained Baseline: constraint_set0_flag and constraint_set1_flag (A.2.1.1).
        XCTAssertEqual(sps.constraintFlags, 0xC0)
        XCTAssertTrue(sps.constraintSetFlag(0))
        XCTAssertTrue(sps.constraintSetFlag(1))
        XCTAssertFalse(sps.constraintSetFlag(2))
        XCTAssertFalse(sps.constraintSetFlag(9))
        XCTAssertEqual(sps.maxNumRefFrames, 3)  // x264 preset medium: ref=3
    }

    func testSequenceParameterSetRejectsOtherNALUnits() {
        let pps = H264Fixture.all[0].pps
        XCTAssertThrowsError(try H264SequenceParameterSet(nalUnit: pps)) { error in
            XCTAssertEqual(error as? CodecError, .unexpectedNALUnitType(structure: "H.264 SPS", found: 8))
        }
        XCTAssertThrowsError(try H264SequenceParameterSet(nalUnit: [UInt8]()))
    }

    // MARK: Synthetic SPS for the paths encoders rarely take

    /// Writes an SPS with the given choices; everything else is the simplest valid value.
    private func makeSPS(profile: UInt8 = 100, chromaFormat: UInt32 = 1, separatePlanes: Bool = false,
                         bitDepthMinus8: UInt32 = 0, scalingLists: Bool = false, pocType: UInt32 = 0,
                         widthInMbs: UInt32 = 20, heightInMapUnits: UInt32 = 15, frameMbsOnly: Bool = true,
                         crop: (UInt32, UInt32, UInt32, UInt32)? = nil, vui: ((inout BitWriter) -> Void)? = nil) -> [UInt8] {
        var w = BitWriter()
        w.write(UInt64(profile), bits: 8)
        w.write(0, bits: 8)
        w.write(30, bits: 8)
        w.writeUE(0)
        if H264SequenceParameterSet.highProfiles.contains(profile) {
            w.writeUE(UInt64(chromaFormat))
            if chromaFormat == 3 { w.writeBit(separatePlanes) }
            w.writeUE(UInt64(bitDepthMinus8))
            w.writeUE(UInt64(bitDepthMinus8))
            w.writeBit(false)
            w.writeBit(scalingLists)
            if scalingLists {
                for i in 0..<(chromaFormat == 3 ? 12 : 8) {
                    w.writeBit(i % 2 == 0)  // every other list present
                    if i % 2 == 0 {
                        // A list whose deltas end early with nextScale 0 after three entries.
                        w.writeSE(5); w.writeSE(-3); w.writeSE(-10)
                    }
                }
            }
        }
        w.writeUE(0)  // log2_max_frame_num_minus4
        w.writeUE(UInt64(pocType))
        switch pocType {
        case 0: w.writeUE(2)
        case 1:
            w.writeBit(false); w.writeSE(-2); w.writeSE(1); w.writeUE(3)
            w.writeSE(4); w.writeSE(-4); w.writeSE(100)
        default: break
        }
        w.writeUE(4)  // max_num_ref_frames
        w.writeBit(false)
        w.writeUE(UInt64(widthInMbs - 1))
        w.writeUE(UInt64(heightInMapUnits - 1))
        w.writeBit(frameMbsOnly)
        if !frameMbsOnly { w.writeBit(true) }
        w.writeBit(true)
        w.writeBit(crop != nil)
        if let crop {
            w.writeUE(UInt64(crop.0)); w.writeUE(UInt64(crop.1)); w.writeUE(UInt64(crop.2)); w.writeUE(UInt64(crop.3))
        }
        w.writeBit(vui != nil)
        vui?(&w)
        w.writeTrailingBits()
        return [0x67] + NALUnit.addingEmulationPrevention(w.bytes)
    }

    func testPicOrderCountType1() throws {
        let sps = try H264SequenceParameterSet(nalUnit: makeSPS(pocType: 1))
        XCTAssertEqual(sps.picOrderCount, .type1(deltaPicOrderAlwaysZero: false, offsetForNonRefPic: -2,
                                                 offsetForTopToBottomField: 1, offsetsForRefFrame: [4, -4, 100]))
        XCTAssertEqual(sps.maxNumRefFrames, 4)
        XCTAssertEqual(try H264SequenceParameterSet(nalUnit: makeSPS(pocType: 0)).picOrderCount, .type0(log2MaxPicOrderCntLsb: 6))
        XCTAssertEqual(try H264SequenceParameterSet(nalUnit: makeSPS(pocType: 2)).picOrderCount, .type2)
    }

    func testScalingListsAreSkipped() throws {
        for chroma: UInt32 in [1, 3] {
            let sps = try H264SequenceParameterSet(nalUnit: makeSPS(chromaFormat: chroma, scalingLists: true, crop: (1, 2, 3, 4)))
            XCTAssertTrue(sps.hasScalingMatrix)
            // Reaching the crop offsets intact shows the lists were consumed exactly.
            XCTAssertEqual(sps.frameCropping, CroppingWindow(left: 1, right: 2, top: 3, bottom: 4))
        }
    }

    /// Crop units of 7.4.2.1.1 for every chroma format, with and without field coding.
    func testCropUnits() throws {
        // (chroma_format_idc, separate planes, frame_mbs_only, CropUnitX, CropUnitY)
        let cases: [(UInt32, Bool, Bool, Int, Int)] = [
            (0, false, true, 1, 1), (0, false, false, 1, 2),
            (1, false, true, 2, 2), (1, false, false, 2, 4),
            (2, false, true, 2, 1), (2, false, false, 2, 2),
            (3, false, true, 1, 1), (3, false, false, 1, 2),
            (3, true, true, 1, 1), (3, true, false, 1, 2),
        ]
        for (chroma, separate, frameOnly, unitX, unitY) in cases {
            let sps = try H264SequenceParameterSet(nalUnit: makeSPS(chromaFormat: chroma, separatePlanes: separate,
                                                                    frameMbsOnly: frameOnly, crop: (1, 2, 3, 1)))
            let codedHeight = 15 * 16 * (frameOnly ? 1 : 2)
            XCTAssertEqual(sps.codedHeight, codedHeight)
            XCTAssertEqual(sps.width, 320 - unitX * 3, "chroma \(chroma) separate \(separate) frameMbsOnly \(frameOnly)")
            XCTAssertEqual(sps.height, codedHeight - unitY * 4, "chroma \(chroma) separate \(separate) frameMbsOnly \(frameOnly)")
            XCTAssertEqual(sps.chromaArrayType, separate ? 0 : UInt8(chroma))
        }
    }

    func testMainProfileDefaultsToEightBit420() throws {
        let sps = try H264SequenceParameterSet(nalUnit: makeSPS(profile: 77))
        XCTAssertEqual(sps.chromaFormatIdc, 1)
        XCTAssertEqual(sps.bitDepthLuma, 8)
        XCTAssertEqual(sps.width, 320)
        XCTAssertEqual(sps.height, 240)
        XCTAssertNil(sps.vui)
    }

    func testFullVUIWithHRDAndBitstreamRestriction() throws {
        let sps = try H264SequenceParameterSet(nalUnit: makeSPS(vui: { w in
            w.writeBit(true); w.write(255, bits: 8); w.write(4, bits: 16); w.write(3, bits: 16)  // SAR 4:3
            w.writeBit(true); w.writeBit(false)                                                    // overscan
            w.writeBit(true); w.write(5, bits: 3); w.writeBit(true)                                // video signal, full range
            w.writeBit(true); w.write(1, bits: 8); w.write(1, bits: 8); w.write(1, bits: 8)        // BT.709
            w.writeBit(true); w.writeUE(0); w.writeUE(0)                                           // chroma location
            w.writeBit(true); w.write(1001, bits: 32); w.write(60000, bits: 32); w.writeBit(true)  // 29.97 fps
            for _ in 0..<2 {                                                                       // NAL and VCL HRD
                w.writeBit(true)
                w.writeUE(1); w.write(4, bits: 4); w.write(6, bits: 4)
                for _ in 0..<2 { w.writeUE(1000); w.writeUE(2000); w.writeBit(false) }
                w.write(23, bits: 5); w.write(23, bits: 5); w.write(23, bits: 5); w.write(24, bits: 5)
            }
            w.writeBit(false)                                                                      // low_delay_hrd_flag
            w.writeBit(true)                                                                       // pic_struct_present_flag
            w.writeBit(true); w.writeBit(true)                                                     // bitstream restriction
            w.writeUE(2); w.writeUE(1); w.writeUE(16); w.writeUE(16); w.writeUE(2); w.writeUE(4)
        }))
        let vui = try XCTUnwrap(sps.vui)
        XCTAssertEqual(vui.sampleAspectRatio, .init(width: 4, height: 3))
        XCTAssertEqual(vui.aspectRatioIdc, 255)
        XCTAssertEqual(vui.videoFormat, 5)
        XCTAssertTrue(vui.videoFullRange)
        XCTAssertEqual(vui.colourDescription?.matrixCoefficients, 1)
        XCTAssertEqual(vui.timing?.timeScale, 60000)
        XCTAssertEqual(vui.timing?.fixedFrameRate, true)
        XCTAssertEqual(try XCTUnwrap(sps.framesPerSecond), 29.97, accuracy: 0.001)
        XCTAssertEqual(vui.maxNumReorderFrames, 2)
        XCTAssertEqual(vui.maxDecFrameBuffering, 4)
    }

    func testOutOfRangeValuesThrow() {
        XCTAssertThrowsError(try H264SequenceParameterSet(nalUnit: makeSPS(chromaFormat: 4)))
        XCTAssertThrowsError(try H264SequenceParameterSet(nalUnit: makeSPS(bitDepthMinus8: 7)))
        XCTAssertThrowsError(try H264SequenceParameterSet(nalUnit: makeSPS(pocType: 3)))
        XCTAssertThrowsError(try H264SequenceParameterSet(nalUnit: makeSPS(widthInMbs: 2000)))
        // Cropping the whole picture away.
        XCTAssertThrowsError(try H264SequenceParameterSet(nalUnit: makeSPS(crop: (80, 80, 0, 0)))) { error in
            guard case .invalidValue(_, let field, _) = error as? CodecError else { return XCTFail("\(error)") }
            XCTAssertTrue(field.contains("crop"))
        }
    }

    // MARK: Malformed input

    func testEveryTruncationThrows() {
        for fixture in H264Fixture.all {
            for length in 0..<fixture.sps.count {
                XCTAssertThrowsError(try H264SequenceParameterSet(nalUnit: fixture.sps.prefix(length)),
                                     "\(fixture.name) cut to \(length) bytes")
            }
        }
        let synthetic = makeSPS(chromaFormat: 3, scalingLists: true, pocType: 1, crop: (1, 1, 1, 1))
        for length in 0..<synthetic.count {
            XCTAssertThrowsError(try H264SequenceParameterSet(nalUnit: synthetic.prefix(length)))
        }
    }

    func testMutatedSequenceParameterSetsNeverTrap() {
        for (index, fixture) in H264Fixture.all.enumerated() {
            mutate(fixture.sps, seed: UInt64(index)) { _ = try? H264SequenceParameterSet(nalUnit: $0) }
            mutate(fixture.avcC, seed: UInt64(index)) { bytes in
                _ = try? AVCDecoderConfigurationRecord(parsing: bytes).serialized()
                _ = try? SampleDescription.h264(configuration: bytes)
            }
        }
    }

    // MARK: avcC

    func testBuiltRecordsEqualFFmpegs() throws {
        for fixture in H264Fixture.all {
            let record = try AVCDecoderConfigurationRecord(sequenceParameterSets: [fixture.sps], pictureParameterSets: [fixture.pps])
            XCTAssertEqual(hexString(try record.serialized()), hexString(fixture.avcC), fixture.name)
            XCTAssertEqual(record.nalUnitLengthSize, .four)
        }
    }

    func testBuiltRecordEqualsTheCheckedInFixture() throws {
        let avcC = try boxBody("avcC", inFixture: "mp4/h264_aac.mp4")
        let parsed = try AVCDecoderConfigurationRecord(parsing: avcC)
        let built = try AVCDecoderConfigurationRecord(sequenceParameterSets: parsed.sequenceParameterSets,
                                                      pictureParameterSets: parsed.pictureParameterSets)
        XCTAssertEqual(built, parsed)
        XCTAssertEqual(try built.serialized(), avcC)
        XCTAssertEqual(avcC, H264Fixture.all[0].avcC)
    }

    func testParseSerializeRoundTrip() throws {
        for fixture in H264Fixture.all {
            let record = try AVCDecoderConfigurationRecord(parsing: fixture.avcC)
            XCTAssertEqual(try record.serialized(), fixture.avcC, fixture.name)
            XCTAssertEqual(record.sequenceParameterSets, [fixture.sps])
            XCTAssertEqual(record.pictureParameterSets, [fixture.pps])
            XCTAssertEqual(record.profileIndication, fixture.profileIdc)
            XCTAssertEqual(record.levelIndication, fixture.levelIdc)
            if fixture.profileIdc == 66 {
                XCTAssertNil(record.highProfileFields)
            } else {
                XCTAssertEqual(record.highProfileFields?.chromaFormat, fixture.chromaFormatIdc)
                XCTAssertEqual(record.highProfileFields?.bitDepthLumaMinus8, fixture.bitDepth - 8)
            }
        }
    }

    func testHighProfileRecordWithoutExtensionIsAccepted() throws {
        // Many encoders (and older ffmpeg) end a High profile avcC after the PPS list.
        let fixture = H264Fixture.all[1]
        let withoutExtension = Array(fixture.avcC.dropLast(4))
        let record = try AVCDecoderConfigurationRecord(parsing: withoutExtension)
        XCTAssertNil(record.highProfileFields)
        XCTAssertEqual(record.sequenceParameterSets, [fixture.sps])
        XCTAssertEqual(try record.serialized(), withoutExtension)
    }

    func testRecordTruncationThrowsOrOnlyLosesTheExtension() throws {
        for fixture in H264Fixture.all {
            let full = try AVCDecoderConfigurationRecord(parsing: fixture.avcC)
            for length in 0..<fixture.avcC.count {
                do {
                    let record = try AVCDecoderConfigurationRecord(parsing: Array(fixture.avcC.prefix(length)))
                    // Only a cut inside the optional High profile fields may parse.
                    XCTAssertNil(record.highProfileFields, "\(fixture.name) cut to \(length)")
                    XCTAssertEqual(record.sequenceParameterSets, full.sequenceParameterSets)
                    XCTAssertEqual(record.pictureParameterSets, full.pictureParameterSets)
                } catch {
                    XCTAssertFalse(error.description.isEmpty)
                }
            }
        }
    }

    func testRecordErrors() throws {
        XCTAssertThrowsError(try AVCDecoderConfigurationRecord(sequenceParameterSets: [], pictureParameterSets: [H264Fixture.all[0].pps]))
        XCTAssertThrowsError(try AVCDecoderConfigurationRecord(sequenceParameterSets: [H264Fixture.all[0].sps], pictureParameterSets: []))
        XCTAssertThrowsError(try AVCDecoderConfigurationRecord(sequenceParameterSets: [H264Fixture.all[0].pps],
                                                               pictureParameterSets: [H264Fixture.all[0].pps]))
        var version2 = H264Fixture.all[0].avcC
        version2[0] = 2
        XCTAssertThrowsError(try AVCDecoderConfigurationRecord(parsing: version2)) { error in
            XCTAssertEqual(error as? CodecError, .invalidValue(structure: "AVCDecoderConfigurationRecord",
                                                               field: "configurationVersion", value: 2))
        }
        var threeByteLengths = H264Fixture.all[0].avcC
        threeByteLengths[4] = 0xFE
        XCTAssertThrowsError(try AVCDecoderConfigurationRecord(parsing: threeByteLengths))

        var record = try AVCDecoderConfigurationRecord(parsing: H264Fixture.all[0].avcC)
        record.sequenceParameterSets = Array(repeating: H264Fixture.all[0].sps, count: 32)
        XCTAssertThrowsError(try record.serialized()) { error in
            XCTAssertEqual(error as? CodecError, .limitExceeded(structure: "AVCDecoderConfigurationRecord",
                                                                field: "numOfSequenceParameterSets", value: 32, limit: 31))
        }
    }

    func testTwoByteLengthsRoundTrip() throws {
        var record = try AVCDecoderConfigurationRecord(parsing: H264Fixture.all[0].avcC)
        record.nalUnitLengthSize = .two
        let bytes = try record.serialized()
        XCTAssertEqual(bytes[4], 0xFD)
        XCTAssertEqual(try AVCDecoderConfigurationRecord(parsing: bytes), record)
    }

    // MARK: Sample description and interop

    func testSampleDescription() throws {
        for fixture in H264Fixture.all {
            let description = try SampleDescription.h264(configuration: fixture.avcC)
            XCTAssertEqual(description.codec, .h264)
            XCTAssertEqual(Int(description.width), fixture.width, fixture.name)
            XCTAssertEqual(Int(description.height), fixture.height, fixture.name)
            XCTAssertEqual(description.configuration, fixture.avcC)
        }
    }

    /// Element by element against ffmpeg's own SPS parser (the trace_headers bitstream filter).
    func testFixtureAgainstFFmpegTraceHeaders() throws {
        guard let trace = try ffmpegTraceHeaders("mp4/h264_aac.mp4") else { throw XCTSkip("ffmpeg not installed") }
        let expected = try XCTUnwrap(trace["Sequence Parameter Set"])
        let sps = try AVCDecoderConfigurationRecord(parsing: try boxBody("avcC", inFixture: "mp4/h264_aac.mp4")).firstSequenceParameterSet()
        guard case let .type0(log2MaxPicOrderCntLsb) = sps.picOrderCount else { return XCTFail("\(sps.picOrderCount)") }
        let parsed: [String: Int64] = [
            "profile_idc": Int64(sps.profileIdc), "level_idc": Int64(sps.levelIdc), "seq_parameter_set_id": Int64(sps.id),
            "chroma_format_idc": Int64(sps.chromaFormatIdc), "bit_depth_luma_minus8": Int64(sps.bitDepthLuma) - 8,
            "log2_max_frame_num_minus4": Int64(sps.log2MaxFrameNum) - 4, "pic_order_cnt_type": 0,
            "log2_max_pic_order_cnt_lsb_minus4": Int64(log2MaxPicOrderCntLsb) - 4,
            "max_num_ref_frames": Int64(sps.maxNumRefFrames), "pic_width_in_mbs_minus1": Int64(sps.widthInMacroblocks) - 1,
            "pic_height_in_map_units_minus1": Int64(sps.heightInMapUnits) - 1, "frame_mbs_only_flag": sps.frameMbsOnly ? 1 : 0,
            "direct_8x8_inference_flag": sps.direct8x8Inference ? 1 : 0, "frame_cropping_flag": sps.frameCropping == nil ? 0 : 1,
            "num_units_in_tick": Int64(try XCTUnwrap(sps.vui?.timing?.numUnitsInTick)),
            "time_scale": Int64(try XCTUnwrap(sps.vui?.timing?.timeScale)),
            "max_num_reorder_frames": Int64(try XCTUnwrap(sps.vui?.maxNumReorderFrames)),
            "max_dec_frame_buffering": Int64(try XCTUnwrap(sps.vui?.maxDecFrameBuffering)),
        ]
        for (name, value) in parsed.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(value, expected[name], name)
        }
    }

    func testFixtureAgainstFFprobe() throws {
        guard let stream = try ffprobeStream("mp4/h264_aac.mp4", "v:0") else {
            throw XCTSkip("ffprobe not installed")
        }
        let description = try SampleDescription.h264(configuration: try boxBody("avcC", inFixture: "mp4/h264_aac.mp4"))
        let sps = try AVCDecoderConfigurationRecord(parsing: description.configuration).firstSequenceParameterSet()
        XCTAssertEqual(stream["width"], String(description.width))
        XCTAssertEqual(stream["height"], String(description.height))
        XCTAssertEqual(stream["level"], String(sps.levelIdc))
        XCTAssertEqual(stream["profile"], sps.profileIdc == 100 ? "High" : "other")
        XCTAssertEqual(stream["pix_fmt"], sps.chromaFormatIdc == 1 && sps.bitDepthLuma == 8 ? "yuv420p" : "other")
    }
}
