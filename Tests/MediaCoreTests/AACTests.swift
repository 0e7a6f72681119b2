import XCTest
@testable import MediaCore

final class AACTests: XCTestCase {
    typealias Frequency = AudioSpecificConfig.SamplingFrequency

    // MARK: AudioSpecificConfig

    func testFFmpegConfigRoundTrips() throws {
        let config = try AudioSpecificConfig(parsing: AACFixture.ffmpegLCStereo48k)
        XCTAssertEqual(config.audioObjectType, 2)
        XCTAssertEqual(config.samplingFrequency.index, 3)
        XCTAssertEqual(config.sampleRate, 48000)
        XCTAssertEqual(config.outputSampleRate, 48000)
        XCTAssertEqual(config.channelConfiguration, 2)
        XCTAssertEqual(config.channelCount, 2)
        XCTAssertEqual(config.samplesPerFrame, 1024)
        XCTAssertEqual(config.extensionSignalling, .backwardCompatibleNoSBR)
        XCTAssertEqual(try config.serialized(), AACFixture.ffmpegLCStereo48k)
    }

    func testFixtureConfigIsTheOneInTheMP4() throws {
        // esds: ... DecoderSpecificInfo tag 5, expandable size 0x80 0x80 0x80 0x05, then the config.
        let esds = try boxBody("esds", inFixture: "mp4/aac_only.mp4")
        let marker: [UInt8] = [0x05, 0x80, 0x80, 0x80, 0x05]
        let start = try XCTUnwrap((0..<(esds.count - marker.count)).first { Array(esds[$0..<$0 + 5]) == marker }) + 5
        XCTAssertEqual(Array(esds[start..<start + 5]), AACFixture.ffmpegLCStereo48k)
    }

    /// Known configs: AAC LC 44.1 kHz stereo, HE-AAC with hierarchical signalling, HE-AAC v2,
    /// an escaped object type, an explicit rate, 960-sample frames.
    func testKnownConfigs() throws {
        let lc = try AudioSpecificConfig(parsing: hex("1210"))
        XCTAssertEqual([lc.audioObjectType, lc.channelConfiguration], [2, 2])
        XCTAssertEqual(lc.sampleRate, 44100)
        XCTAssertEqual(lc.extensionSignalling, .implicit)
        XCTAssertEqual(try lc.serialized(), hex("1210"))

        // AOT 5, core 22050 Hz stereo, SBR 44100 Hz, core AOT 2.
        let he = try AudioSpecificConfig(parsing: hex("2b920800"))
        XCTAssertEqual(he.audioObjectType, 2)
        XCTAssertEqual(he.sampleRate, 22050)
        XCTAssertEqual(he.outputSampleRate, 44100)
        XCTAssertEqual(he.extensionSignalling, .hierarchical(sbrFrequency: try Frequency(index: 4), psPresent: false))
        XCTAssertEqual(try he.serialized(), hex("2b920800"))  // 25 bits with GASpecificConfig

        // AOT 29 (PS), core 24000 Hz mono, SBR 48000 Hz: a stereo output.
        let v2 = AudioSpecificConfig(audioObjectType: 2, samplingFrequency: try Frequency(index: 6), channelConfiguration: 1,
                                     extensionSignalling: .hierarchical(sbrFrequency: try Frequency(index: 3), psPresent: true))
        let v2Bytes = try v2.serialized()
        XCTAssertEqual(v2Bytes[0] >> 3, 29)
        XCTAssertEqual(try AudioSpecificConfig(parsing: v2Bytes), v2)
        XCTAssertEqual(v2.channelCount, 2)
        XCTAssertEqual(v2.outputSampleRate, 48000)

        // Backward-compatible SBR with PS (0x2B7 ... 0x548).
        let compatible = AudioSpecificConfig(audioObjectType: 2, samplingFrequency: try Frequency(index: 6), channelConfiguration: 1,
                                             extensionSignalling: .backwardCompatible(sbrFrequency: try Frequency(index: 3), psPresent: true))
        XCTAssertEqual(try AudioSpecificConfig(parsing: try compatible.serialized()), compatible)

        // Escape: audioObjectType 42 (USAC) is 31 then 42 - 32 = 10 in six bits; only the header is parsed.
        var w = BitWriter()
        w.write(31, bits: 5); w.write(10, bits: 6); w.write(3, bits: 4); w.write(2, bits: 4); w.write(0, bits: 5)
        let usac = try AudioSpecificConfig(parsing: w.bytes)
        XCTAssertEqual(usac.audioObjectType, 42)
        XCTAssertEqual(usac.sampleRate, 48000)
        XCTAssertThrowsError(try usac.serialized())

        // Index 15: the rate follows in 24 bits, and stays explicit even for a table rate.
        let explicit = AudioSpecificConfig(audioObjectType: 2, samplingFrequency: Frequency(hertz: 37800), channelConfiguration: 2)
        XCTAssertEqual(explicit.samplingFrequency.index, 15)
        let explicitBytes = try explicit.serialized()
        XCTAssertEqual(explicitBytes.count, 5)
        XCTAssertEqual(try AudioSpecificConfig(parsing: explicitBytes).sampleRate, 37800)
        var tableRate = BitWriter()
        tableRate.write(2, bits: 5); tableRate.write(15, bits: 4); tableRate.write(48000, bits: 24); tableRate.write(2, bits: 4)
        tableRate.write(0, bits: 3)
        let parsedTableRate = try AudioSpecificConfig(parsing: tableRate.bytes)
        XCTAssertEqual(parsedTableRate.samplingFrequency.index, 15)
        XCTAssertEqual(try parsedTableRate.serialized(), tableRate.bytes)

        let short = AudioSpecificConfig(audioObjectType: 2, samplingFrequency: try Frequency(index: 3), channelConfiguration: 2,
                                        frameLengthFlag: true)
        XCTAssertEqual(try AudioSpecificConfig(parsing: try short.serialized()).samplesPerFrame, 960)
    }

    func testChannelCounts() throws {
        for (configuration, count) in [(1, 1), (2, 2), (6, 6), (7, 8), (11, 7), (12, 8), (13, 24), (14, 8)] as [(UInt8, Int)] {
            let config = AudioSpecificConfig(audioObjectType: 2, samplingFrequency: try Frequency(index: 3),
                                             channelConfiguration: configuration)
            XCTAssertEqual(config.channelCount, count)
        }
        XCTAssertNil(AudioSpecificConfig(audioObjectType: 2, samplingFrequency: try Frequency(index: 3), channelConfiguration: 9).channelCount)
    }

    func testConfigErrors() {
        XCTAssertThrowsError(try AudioSpecificConfig(parsing: hex("12"))) { error in
            guard case .truncated(_, let field, _) = error as? CodecError else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "samplingFrequencyIndex")
        }
        XCTAssertThrowsError(try AudioSpecificConfig(parsing: hex("16 90")))  // samplingFrequencyIndex 13: reserved
        XCTAssertThrowsError(try AudioSpecificConfig(parsing: hex("11 80"))) { error in  // channelConfiguration 0: PCE
            guard case .unsupported = error as? CodecError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try Frequency(index: 13))
    }

    func testTruncatedAndMutatedConfigsNeverTrap() throws {
        let inputs = [AACFixture.ffmpegLCStereo48k, hex("2b920800"), hex("1210")]
        for input in inputs {
            let full = try AudioSpecificConfig(parsing: input)
            for length in 0..<input.count {
                // A shorter config may still be a valid one (the extension is optional); its core must agree.
                if let config = try? AudioSpecificConfig(parsing: Array(input.prefix(length))) {
                    XCTAssertEqual(config.audioObjectType, full.audioObjectType)
                    XCTAssertEqual(config.sampleRate, full.sampleRate)
                }
            }
            XCTAssertThrowsError(try AudioSpecificConfig(parsing: Array(input.prefix(1))))
            mutate(input, count: 2000) { bytes in
                if let config = try? AudioSpecificConfig(parsing: bytes) { _ = try? config.serialized() }
                _ = try? SampleDescription.aac(audioSpecificConfig: bytes)
            }
        }
    }

    // MARK: ADTS

    func testFFmpegADTSHeaders() throws {
        for (bytes, length) in AACFixture.adtsHeaders {
            let header = try ADTSHeader(parsing: bytes)
            XCTAssertEqual(header.frameLength, length)
            XCTAssertTrue(header.protectionAbsent)
            XCTAssertEqual(header.headerLength, 7)
            XCTAssertEqual(header.payloadLength, length - 7)
            XCTAssertEqual(header.profile, 1)
            XCTAssertEqual(header.sampleRate, 48000)
            XCTAssertEqual(header.channelConfiguration, 2)
            XCTAssertEqual(header.bufferFullness, ADTSHeader.variableBitRateFullness)
            XCTAssertEqual(header.rawDataBlockCount, 1)
            XCTAssertFalse(header.isMPEG2)
            XCTAssertEqual(header.serialized(), bytes)
            // The MP4 config of an ADTS stream is the 2-byte core of ffmpeg's esds config.
            XCTAssertEqual(try header.audioSpecificConfig().serialized(), Array(AACFixture.ffmpegLCStereo48k.prefix(2)))
        }
        let mono = try ADTSHeader(parsing: AACFixture.adtsMono22050)
        XCTAssertEqual(mono.sampleRate, 22050)
        XCTAssertEqual(mono.channelConfiguration, 1)
        XCTAssertEqual(try mono.audioSpecificConfig().channelCount, 1)
    }

    func testBuildHeaderForRawFrame() throws {
        let config = try AudioSpecificConfig(parsing: AACFixture.ffmpegLCStereo48k)
        let header = try ADTSHeader(audioSpecificConfig: config, payloadLength: 228)
        XCTAssertEqual(header.serialized(), AACFixture.adtsHeaders[0].0)
        XCTAssertThrowsError(try ADTSHeader(audioSpecificConfig: config, payloadLength: 8185))
        XCTAssertNoThrow(try ADTSHeader(audioSpecificConfig: config, payloadLength: 8184))
        let he = try AudioSpecificConfig(parsing: hex("2b920800"))
        XCTAssertEqual(try ADTSHeader(audioSpecificConfig: he, payloadLength: 10).profile, 1)
        let explicit = AudioSpecificConfig(audioObjectType: 2, samplingFrequency: Frequency(hertz: 37800), channelConfiguration: 2)
        XCTAssertThrowsError(try ADTSHeader(audioSpecificConfig: explicit, payloadLength: 10))
    }

    func testHeaderWithCRC() throws {
        var header = try ADTSHeader(parsing: AACFixture.adtsHeaders[0].0)
        header.protectionAbsent = false
        header.crc = 0xBEEF
        let bytes = header.serialized()
        XCTAssertEqual(bytes.count, 9)
        let parsed = try ADTSHeader(parsing: bytes)
        XCTAssertEqual(parsed.crc, 0xBEEF)
        XCTAssertEqual(parsed.headerLength, 9)
    }

    func testHeaderValidation() {
        func expectInvalid(_ bytes: [UInt8], _ field: String, line: UInt = #line) {
            XCTAssertThrowsError(try ADTSHeader(parsing: bytes), line: line) { error in
                guard case .invalidValue(_, let found, _) = error as? CodecError else { return XCTFail("\(error)", line: line) }
                XCTAssertEqual(found, field, line: line)
            }
        }
        expectInvalid(hex("eff14c801d7ffc"), "syncword")
        expectInvalid(hex("fff34c801d7ffc"), "layer")
        expectInvalid(hex("fff174801d7ffc"), "sampling_frequency_index")
        expectInvalid(hex("fff14c8000dffc"), "aac_frame_length")  // 6 bytes: shorter than its header
        let header = AACFixture.adtsHeaders[0].0
        for length in 0..<header.count {
            XCTAssertThrowsError(try ADTSHeader(parsing: Array(header.prefix(length))))
        }
        mutate(header, count: 2000) { _ = try? ADTSHeader(parsing: $0) }
    }

    func testSplitFrames() throws {
        let config = try AudioSpecificConfig(parsing: hex("1190"))
        var stream: [UInt8] = []
        for size in [10, 0, 300] {
            stream += try ADTSHeader(audioSpecificConfig: config, payloadLength: size).serialized()
            stream += [UInt8](repeating: UInt8(size % 256), count: size)
        }
        let frames = try ADTSHeader.frames(in: stream)
        XCTAssertEqual(frames.map { $0.payload.count }, [10, 0, 300])
        XCTAssertEqual(frames[2].payload.first, 44)
        XCTAssertThrowsError(try ADTSHeader.frames(in: Array(stream.dropLast())))
        XCTAssertThrowsError(try ADTSHeader.frames(in: stream + [0xFF]))
    }

    // MARK: Sample description and interop

    func testSampleDescription() throws {
        let description = try SampleDescription.aac(audioSpecificConfig: AACFixture.ffmpegLCStereo48k)
        XCTAssertEqual(description.codec, .aac)
        XCTAssertEqual(description.sampleRate, 48000)
        XCTAssertEqual(description.channelCount, 2)
        XCTAssertEqual(description.configuration, AACFixture.ffmpegLCStereo48k)
        let he = try SampleDescription.aac(audioSpecificConfig: hex("2b920800"))
        XCTAssertEqual(he.sampleRate, 44100)
    }

    func testFixtureAgainstFFprobe() throws {
        guard let stream = try ffprobeStream("mp4/aac_only.mp4", "a:0") else { throw XCTSkip("ffprobe not installed") }
        let description = try SampleDescription.aac(audioSpecificConfig: AACFixture.ffmpegLCStereo48k)
        XCTAssertEqual(stream["sample_rate"], String(description.sampleRate))
        XCTAssertEqual(stream["channels"], String(description.channelCount))
        XCTAssertEqual(stream["profile"], "LC")
    }
}
