import XCTest
@testable import MediaCore

final class H265Tests: XCTestCase {
    /// The fixture's hvcC: embedded, or read from the checked-in MP4.
    private func hvcC(_ fixture: H265Fixture) throws -> [UInt8] {
        try fixture.hvcC ?? boxBody("hvcC", inFixture: "mp4/h265_aac.mp4")
    }

    // MARK: Parameter sets from real encoders

    func testSequenceParameterSetsMatchFFprobe() throws {
        for fixture in H265Fixture.all {
            let sps = try H265SequenceParameterSet(nalUnit: fixture.sps)
            XCTAssertEqual(sps.profileTierLevel.general.profileIdc, fixture.profileIdc, fixture.name)
            XCTAssertEqual(sps.profileTierLevel.generalLevelIdc, fixture.levelIdc, fixture.name)
            XCTAssertFalse(sps.profileTierLevel.general.tierFlag, fixture.name)
            XCTAssertEqual(sps.profileTierLevel.general.profileSpace, 0, fixture.name)
            XCTAssertTrue(sps.profileTierLevel.general.progressiveSource, fixture.name)
            XCTAssertEqual(sps.width, fixture.width, fixture.name)
            XCTAssertEqual(sps.height, fixture.height, fixture.name)
            XCTAssertEqual(sps.picWidthInLumaSamples, fixture.picWidth, fixture.name)
            XCTAssertEqual(sps.picHeightInLumaSamples, fixture.picHeight, fixture.name)
            XCTAssertEqual(sps.conformanceWindow, fixture.conformanceWindow, fixture.name)
            XCTAssertEqual(sps.chromaFormatIdc, fixture.chromaFormatIdc, fixture.name)
            XCTAssertEqual(sps.bitDepthLuma, fixture.bitDepth, fixture.name)
            XCTAssertEqual(sps.bitDepthChroma, fixture.bitDepth, fixture.name)
            XCTAssertEqual(sps.maxSubLayers, fixture.maxSubLayers, fixture.name)
            XCTAssertEqual(sps.profileTierLevel.subLayers.count, Int(fixture.maxSubLayers) - 1, fixture.name)
            XCTAssertEqual(sps.id, 0)
            XCTAssertEqual(sps.videoParameterSetID, 0)
            // x265 writes VUI timing at 25 fps and limited range (ffprobe: color_range=tv).
            XCTAssertEqual(sps.framesPerSecond, 25, fixture.name)
            XCTAssertEqual(sps.vui?.videoFullRange, false, fixture.name)
            XCTAssertNotNil(sps.vui?.videoFormat, fixture.name)
            XCTAssertEqual(sps.vui?.sampleAspectRatio, .init(width: 1, height: 1), fixture.name)
            XCTAssertEqual(sps.log2CodingTreeBlockSize, 6, fixture.name)

            let vps = try H265VideoParameterSet(nalUnit: fixture.vps)
            XCTAssertEqual(vps.id, 0)
            XCTAssertEqual(vps.maxSubLayers, fixture.maxSubLayers, fixture.name)
            XCTAssertEqual(vps.maxLayers, 1)
            XCTAssertEqual(vps.profileTierLevel, sps.profileTierLevel, fixture.name)

            let pps = try H265PictureParameterSet(nalUnit: fixture.pps)
            XCTAssertEqual(pps.id, 0)
            XCTAssertEqual(pps.seqParameterSetID, 0)
            XCTAssertFalse(pps.tilesEnabled)
            XCTAssertTrue(pps.entropyCodingSyncEnabled)  // x265 enables wavefront (--wpp) by default
        }
    }

    func testMain10ProfileCompatibilityAndConstraints() throws {
        let sps = try H265SequenceParameterSet(nalUnit: H265Fixture.all[1].sps)
        let general = sps.profileTierLevel.general
        // Main 10 (profile 2), compatible with profile 2 only: flag[2] is the third bit.
        XCTAssertEqual(general.compatibilityFlags, 0x2000_0000)
        // progressive_source_flag and frame_only_constraint_flag, then nothing: 0x900000000000.
        XCTAssertEqual(general.constraintIndicatorFlags, 0x9000_0000_0000)
        XCTAssertFalse(general.interlacedSource)
    }

    func testSubLayerProfileTierLevel() throws {
        let fixture = H265Fixture.all[3]
        let sps = try H265SequenceParameterSet(nalUnit: fixture.sps)
        XCTAssertEqual(sps.profileTierLevel.subLayers, [ProfileTierLevel.SubLayer(profile: nil, levelIdc: nil)])
        XCTAssertFalse(sps.temporalIdNesting)
        XCTAssertEqual(sps.maxNumReorderPics, 2)  // ffmpeg trace_headers: sps_max_num_reorder_pics[1] = 2
    }

    func testWrongNALUnitTypesThrow() {
        let fixture = H265Fixture.all[0]
        XCTAssertThrowsError(try H265SequenceParameterSet(nalUnit: fixture.vps)) { error in
            XCTAssertEqual(error as? CodecError, .unexpectedNALUnitType(structure: "H.265 SPS", found: 32))
        }
        XCTAssertThrowsError(try H265VideoParameterSet(nalUnit: fixture.pps))
        XCTAssertThrowsError(try H265PictureParameterSet(nalUnit: fixture.sps))
    }

    // MARK: Synthetic sets for paths x265 does not take here

    /// An SPS with a PTL of `subLayers` sub-layers that all signal profile and level, a
    /// conformance window, scaling lists, PCM, short-term RPS with inter prediction, long-term
    /// pictures, a VUI with HRD, and the range extension.
    private func makeRichSPS(chromaFormat: UInt32 = 1, subLayers: Int = 3) -> [UInt8] {
        var w = BitWriter()
        w.write(0, bits: 4)                              // sps_video_parameter_set_id
        w.write(UInt64(subLayers - 1), bits: 3)
        w.writeBit(true)                                 // sps_temporal_id_nesting_flag
        writeProfile(&w, idc: 4)
        w.write(93, bits: 8)                             // general_level_idc
        for _ in 0..<(subLayers - 1) { w.writeBit(true); w.writeBit(true) }
        if subLayers > 1 { w.write(0, bits: 2 * (8 - (subLayers - 1))) }
        for i in 0..<(subLayers - 1) { writeProfile(&w, idc: 4); w.write(UInt64(60 + i), bits: 8) }
        w.writeUE(3)                                     // sps_seq_parameter_set_id
        w.writeUE(UInt64(chromaFormat))
        if chromaFormat == 3 { w.writeBit(false) }
        w.writeUE(1000); w.writeUE(600)                  // picture size
        w.writeBit(true); w.writeUE(4); w.writeUE(0); w.writeUE(0); w.writeUE(4)
        w.writeUE(2); w.writeUE(2)                       // 10-bit
        w.writeUE(4)                                     // log2_max_pic_order_cnt_lsb_minus4: 8 bits
        w.writeBit(true)
        for _ in 0..<subLayers { w.writeUE(4); w.writeUE(2); w.writeUE(0) }
        w.writeUE(0); w.writeUE(3); w.writeUE(0); w.writeUE(3); w.writeUE(1); w.writeUE(1)
        w.writeBit(true); w.writeBit(true)               // scaling lists present
        for sizeId in 0..<4 {
            for matrixId in stride(from: 0, to: 6, by: sizeId == 3 ? 3 : 1) {
                let explicit = matrixId % 2 == 0
                w.writeBit(explicit)
                if !explicit { w.writeUE(0); continue }
                if sizeId > 1 { w.writeSE(8) }
                for k in 0..<min(64, 1 << (4 + (sizeId << 1))) { w.writeSE(k % 3 == 0 ? 1 : -1) }
            }
        }
        w.writeBit(true); w.writeBit(true)               // amp, sao
        w.writeBit(true); w.write(7, bits: 4); w.write(7, bits: 4); w.writeUE(0); w.writeUE(1); w.writeBit(false)
        w.writeUE(3)                                     // three short-term RPS
        w.writeUE(2); w.writeUE(1)                       // set 0: two negative, one positive
        for _ in 0..<3 { w.writeUE(0); w.writeBit(true) }
        w.writeBit(true); w.writeBit(false); w.writeUE(0) // set 1: predicted from set 0 (3 + 1 entries)
        w.writeBit(true); w.writeBit(false); w.writeBit(true); w.writeBit(false); w.writeBit(false); w.writeBit(true)
        w.writeBit(false); w.writeUE(1); w.writeUE(0); w.writeUE(5); w.writeBit(false) // set 2: explicit
        w.writeBit(true); w.writeUE(2)                   // long-term pictures
        for _ in 0..<2 { w.write(0xAB, bits: 8); w.writeBit(true) }
        w.writeBit(true); w.writeBit(true)               // temporal MVP, strong intra smoothing
        w.writeBit(true)                                 // VUI
        w.writeBit(true); w.write(1, bits: 8)            // SAR 1:1
        w.writeBit(false)
        w.writeBit(true); w.write(5, bits: 3); w.writeBit(true); w.writeBit(false)
        w.writeBit(false)
        w.writeBit(false); w.writeBit(false); w.writeBit(false)
        w.writeBit(true); w.writeUE(8); w.writeUE(8); w.writeUE(0); w.writeUE(0) // default display window
        w.writeBit(true); w.write(1001, bits: 32); w.write(60000, bits: 32)
        w.writeBit(true); w.writeUE(0)
        w.writeBit(true)                                 // HRD
        w.writeBit(true); w.writeBit(true); w.writeBit(true)
        w.write(0, bits: 19); w.write(0, bits: 8); w.write(0, bits: 4); w.write(0, bits: 15)
        for i in 0..<subLayers {
            w.writeBit(i == 0)
            if i != 0 { w.writeBit(false); w.writeBit(false); w.writeUE(1) } else { w.writeUE(0); w.writeUE(1) }
            for _ in 0..<2 { for _ in 0..<2 { w.writeUE(9); w.writeUE(9); w.writeUE(9); w.writeUE(9); w.writeBit(true) } }
        }
        w.writeBit(true); w.writeBit(false); w.writeBit(true); w.writeBit(false) // bitstream restriction
        w.writeUE(200); w.writeUE(2); w.writeUE(1); w.writeUE(15); w.writeUE(15)
        w.writeBit(true); w.writeBit(true); w.write(0, bits: 7); w.write(0x1FF, bits: 9) // range extension
        w.writeTrailingBits()
        return [0x42, 0x01] + NALUnit.addingEmulationPrevention(w.bytes)
    }

    private func writeProfile(_ w: inout BitWriter, idc: UInt64) {
        w.write(0, bits: 2); w.writeBit(false); w.write(idc, bits: 5)
        w.write(UInt64(1) << (31 - idc), bits: 32)
        w.write(0x9000_0000_0000, bits: 48)
    }

    func testRichSequenceParameterSet() throws {
        let sps = try H265SequenceParameterSet(nalUnit: makeRichSPS())
        XCTAssertEqual(sps.maxSubLayers, 3)
        XCTAssertEqual(sps.profileTierLevel.subLayers.map(\.levelIdc), [60, 61])
        XCTAssertEqual(sps.profileTierLevel.subLayers.first?.profile?.profileIdc, 4)
        XCTAssertEqual(sps.id, 3)
        XCTAssertEqual(sps.width, 1000 - 2 * 4)
        XCTAssertEqual(sps.height, 600 - 2 * 4)
        XCTAssertEqual(sps.bitDepthLuma, 10)
        XCTAssertEqual(sps.log2MaxPicOrderCntLsb, 8)
        XCTAssertEqual(sps.numShortTermRefPicSets, 3)
        XCTAssertTrue(sps.longTermRefPicsPresent)
        XCTAssertTrue(sps.pcmEnabled)
        XCTAssertEqual(sps.vui?.minSpatialSegmentationIdc, 200)
        XCTAssertEqual(sps.vui?.defaultDisplayWindow, CroppingWindow(left: 8, right: 8, top: 0, bottom: 0))
        XCTAssertEqual(try XCTUnwrap(sps.framesPerSecond), 59.94, accuracy: 0.001)
        // Monochrome: no chroma subsampling, so window offsets count luma samples.
        let mono = try H265SequenceParameterSet(nalUnit: makeRichSPS(chromaFormat: 0, subLayers: 1))
        XCTAssertEqual(mono.width, 1000 - 4)
        XCTAssertEqual(mono.chromaArrayType, 0)
    }

    func testEveryTruncationThrows() throws {
        var sets: [(String, [UInt8])] = []
        for fixture in H265Fixture.all {
            sets += [("VPS \(fixture.name)", fixture.vps), ("SPS \(fixture.name)", fixture.sps), ("PPS \(fixture.name)", fixture.pps)]
        }
        sets.append(("rich SPS", makeRichSPS()))
        for (name, bytes) in sets {
            for length in 0..<bytes.count {
                let prefix = bytes.prefix(length)
                switch H265NALUnitType(nalUnit: bytes)! {
                case .videoParameterSet: XCTAssertThrowsError(try H265VideoParameterSet(nalUnit: prefix), "\(name) cut to \(length)")
                case .sequenceParameterSet: XCTAssertThrowsError(try H265SequenceParameterSet(nalUnit: prefix), "\(name) cut to \(length)")
                default: XCTAssertThrowsError(try H265PictureParameterSet(nalUnit: prefix), "\(name) cut to \(length)")
                }
            }
        }
        for fixture in H265Fixture.all {
            let record = try hvcC(fixture)
            for length in 0..<record.count {
                XCTAssertThrowsError(try HEVCDecoderConfigurationRecord(parsing: Array(record.prefix(length))),
                                     "\(fixture.name) hvcC cut to \(length)")
            }
        }
    }

    func testMutatedInputNeverTraps() throws {
        for (index, fixture) in H265Fixture.all.enumerated() {
            mutate(fixture.vps, seed: UInt64(index)) { _ = try? H265VideoParameterSet(nalUnit: $0) }
            mutate(fixture.sps, seed: UInt64(index)) { _ = try? H265SequenceParameterSet(nalUnit: $0) }
            mutate(fixture.pps, seed: UInt64(index)) { _ = try? H265PictureParameterSet(nalUnit: $0) }
            mutate(try hvcC(fixture), count: 200, seed: UInt64(index)) { bytes in
                _ = try? HEVCDecoderConfigurationRecord(parsing: bytes).serialized()
                _ = try? SampleDescription.h265(configuration: bytes)
            }
        }
        mutate(makeRichSPS(), count: 2000) { _ = try? H265SequenceParameterSet(nalUnit: $0) }
    }

    // MARK: hvcC

    func testBuiltRecordsEqualFFmpegs() throws {
        for fixture in H265Fixture.all {
            let expected = try hvcC(fixture)
            // ffmpeg adds x265's version SEI as a fourth, incomplete array when it is there.
            let parsed = try HEVCDecoderConfigurationRecord(parsing: expected)
            let built = try HEVCDecoderConfigurationRecord(
                videoParameterSets: [fixture.vps], sequenceParameterSets: [fixture.sps], pictureParameterSets: [fixture.pps],
                seiNALUnits: parsed.nalUnits(ofType: .prefixSEI))
            XCTAssertEqual(built, parsed, fixture.name)
            XCTAssertEqual(hexString(try built.serialized()), hexString(expected), fixture.name)
        }
    }

    func testParsedFields() throws {
        let fixture = H265Fixture.all[3]
        let record = try HEVCDecoderConfigurationRecord(parsing: try hvcC(fixture))
        XCTAssertEqual(record.generalProfile.profileIdc, 1)
        XCTAssertEqual(record.generalLevelIdc, 60)
        XCTAssertEqual(record.numTemporalLayers, 2)
        XCTAssertFalse(record.temporalIdNested)
        XCTAssertEqual(record.nalUnitLengthSize, .four)
        XCTAssertEqual(record.arrays.map(\.isComplete), [true, true, true])
        XCTAssertEqual(record.videoParameterSets, [fixture.vps])
        XCTAssertEqual(record.sequenceParameterSets, [fixture.sps])
        XCTAssertEqual(record.pictureParameterSets, [fixture.pps])

        let checkedIn = try HEVCDecoderConfigurationRecord(parsing: try hvcC(H265Fixture.all[0]))
        XCTAssertEqual(checkedIn.arrays.map(\.nalUnitType), [.videoParameterSet, .sequenceParameterSet, .pictureParameterSet, .prefixSEI])
        XCTAssertEqual(checkedIn.arrays.map(\.isComplete), [true, true, true, false])
    }

    func testParallelismTypeFollowsFFmpeg() throws {
        // With min_spatial_segmentation_idc (from the VUI) nonzero, the PPS decides.
        let sps = makeRichSPS(subLayers: 1)
        let vps = H265Fixture.all[0].vps
        let record = try HEVCDecoderConfigurationRecord(videoParameterSets: [vps], sequenceParameterSets: [sps],
                                                        pictureParameterSets: [H265Fixture.all[0].pps])
        XCTAssertEqual(record.minSpatialSegmentationIdc, 200)
        XCTAssertEqual(record.parallelismType, 3)  // wavefront: x265's PPS enables entropy coding sync
        XCTAssertEqual(record.chromaFormatIdc, 1)
        XCTAssertEqual(record.bitDepthLumaMinus8, 2)
        XCTAssertTrue(record.temporalIdNested)
        XCTAssertEqual(try HEVCDecoderConfigurationRecord(parsing: try record.serialized()), record)
    }

    func testRecordErrors() throws {
        let fixture = H265Fixture.all[0]
        XCTAssertThrowsError(try HEVCDecoderConfigurationRecord(videoParameterSets: [], sequenceParameterSets: [fixture.sps],
                                                                pictureParameterSets: [fixture.pps])) { error in
            XCTAssertEqual(error as? CodecError, .missing(structure: "HEVCDecoderConfigurationRecord", element: "video parameter set"))
        }
        XCTAssertThrowsError(try HEVCDecoderConfigurationRecord(videoParameterSets: [fixture.vps], sequenceParameterSets: [fixture.sps],
                                                                pictureParameterSets: [fixture.pps], seiNALUnits: [fixture.pps]))
        var record = try HEVCDecoderConfigurationRecord(parsing: try hvcC(fixture))
        record.arrays[0].nalUnits.append([UInt8](repeating: 0x40, count: 70_000))
        XCTAssertThrowsError(try record.serialized())
    }

    // MARK: Sample description and interop

    func testSampleDescription() throws {
        for fixture in H265Fixture.all {
            let description = try SampleDescription.h265(configuration: try hvcC(fixture))
            XCTAssertEqual(description.codec, .h265)
            XCTAssertEqual(Int(description.width), fixture.width, fixture.name)
            XCTAssertEqual(Int(description.height), fixture.height, fixture.name)
        }
    }

    /// Element by element against ffmpeg's own parameter set parser (trace_headers).
    func testFixtureAgainstFFmpegTraceHeaders() throws {
        guard let trace = try ffmpegTraceHeaders("mp4/h265_aac.mp4") else { throw XCTSkip("ffmpeg not installed") }
        let record = try HEVCDecoderConfigurationRecord(parsing: try boxBody("hvcC", inFixture: "mp4/h265_aac.mp4"))
        let vps = try H265VideoParameterSet(nalUnit: record.videoParameterSets[0])
        let sps = try record.firstSequenceParameterSet()
        let pps = try H265PictureParameterSet(nalUnit: record.pictureParameterSets[0])
        let ptl = sps.profileTierLevel
        let checks: [(String, String, Int64)] = [
            ("Video Parameter Set", "vps_max_sub_layers_minus1", Int64(vps.maxSubLayers) - 1),
            ("Video Parameter Set", "vps_temporal_id_nesting_flag", vps.temporalIdNesting ? 1 : 0),
            ("Sequence Parameter Set", "sps_max_sub_layers_minus1", Int64(sps.maxSubLayers) - 1),
            ("Sequence Parameter Set", "general_profile_idc", Int64(ptl.general.profileIdc)),
            ("Sequence Parameter Set", "general_tier_flag", ptl.general.tierFlag ? 1 : 0),
            ("Sequence Parameter Set", "general_level_idc", Int64(ptl.generalLevelIdc)),
            ("Sequence Parameter Set", "general_profile_compatibility_flag[1]", Int64(ptl.general.compatibilityFlags >> 30 & 1)),
            ("Sequence Parameter Set", "general_progressive_source_flag", ptl.general.progressiveSource ? 1 : 0),
            ("Sequence Parameter Set", "chroma_format_idc", Int64(sps.chromaFormatIdc)),
            ("Sequence Parameter Set", "pic_width_in_luma_samples", Int64(sps.picWidthInLumaSamples)),
            ("Sequence Parameter Set", "pic_height_in_luma_samples", Int64(sps.picHeightInLumaSamples)),
            ("Sequence Parameter Set", "conformance_window_flag", sps.conformanceWindow == nil ? 0 : 1),
            ("Sequence Parameter Set", "bit_depth_luma_minus8", Int64(sps.bitDepthLuma) - 8),
            ("Sequence Parameter Set", "log2_max_pic_order_cnt_lsb_minus4", Int64(sps.log2MaxPicOrderCntLsb) - 4),
            ("Sequence Parameter Set", "sps_max_dec_pic_buffering_minus1[0]", Int64(sps.maxDecPicBuffering) - 1),
            ("Sequence Parameter Set", "sps_max_num_reorder_pics[0]", Int64(sps.maxNumReorderPics)),
            ("Sequence Parameter Set", "num_short_term_ref_pic_sets", Int64(sps.numShortTermRefPicSets)),
            ("Sequence Parameter Set", "amp_enabled_flag", sps.ampEnabled ? 1 : 0),
            ("Sequence Parameter Set", "sps_temporal_mvp_enabled_flag", sps.temporalMVPEnabled ? 1 : 0),
            ("Sequence Parameter Set", "strong_intra_smoothing_enabled_flag", sps.strongIntraSmoothingEnabled ? 1 : 0),
            ("Sequence Parameter Set", "vui_num_units_in_tick", Int64(try XCTUnwrap(sps.vui?.timing?.numUnitsInTick))),
            ("Sequence Parameter Set", "vui_time_scale", Int64(try XCTUnwrap(sps.vui?.timing?.timeScale))),
            ("Picture Parameter Set", "pps_pic_parameter_set_id", Int64(pps.id)),
            ("Picture Parameter Set", "tiles_enabled_flag", pps.tilesEnabled ? 1 : 0),
            ("Picture Parameter Set", "entropy_coding_sync_enabled_flag", pps.entropyCodingSyncEnabled ? 1 : 0),
            ("Picture Parameter Set", "sign_data_hiding_enabled_flag", pps.signDataHidingEnabled ? 1 : 0),
        ]
        for (section, name, value) in checks {
            XCTAssertEqual(value, trace[section]?[name], "\(section): \(name)")
        }
    }

    func testFixtureAgainstFFprobe() throws {
        guard let stream = try ffprobeStream("mp4/h265_aac.mp4", "v:0") else { throw XCTSkip("ffprobe not installed") }
        let record = try HEVCDecoderConfigurationRecord(parsing: try boxBody("hvcC", inFixture: "mp4/h265_aac.mp4"))
        let sps = try record.firstSequenceParameterSet()
        XCTAssertEqual(stream["width"], String(sps.width))
        XCTAssertEqual(stream["height"], String(sps.height))
        XCTAssertEqual(stream["level"], String(sps.profileTierLevel.generalLevelIdc))
        XCTAssertEqual(stream["profile"], sps.profileTierLevel.general.profileIdc == 1 ? "Main" : "other")
        XCTAssertEqual(stream["pix_fmt"], sps.chromaFormatIdc == 1 && sps.bitDepthLuma == 8 ? "yuv420p" : "other")
    }
}
