import MediaCore
import XCTest
@testable import ISOBMFF

/// bytes -> value -> the same bytes, for every box of the fixtures this module models; and
/// value -> bytes -> the same value for the shapes the fixtures lack.
final class BoxRoundTripTests: XCTestCase {
    /// Decodes a whole box and encodes it again.
    private static let codecs: [FourCC: @Sendable ([UInt8]) throws -> [UInt8]] = [
        FileTypeBox.type: { try FileTypeBox.decode(box: $0).encoded },
        MovieHeaderBox.type: { try MovieHeaderBox.decode(box: $0).encoded },
        TrackHeaderBox.type: { try TrackHeaderBox.decode(box: $0).encoded },
        MediaHeaderBox.type: { try MediaHeaderBox.decode(box: $0).encoded },
        EditListBox.type: { try EditListBox.decode(box: $0).encoded },
        VideoMediaHeaderBox.type: { try VideoMediaHeaderBox.decode(box: $0).encoded },
        SoundMediaHeaderBox.type: { try SoundMediaHeaderBox.decode(box: $0).encoded },
        DataReferenceBox.type: { try DataReferenceBox.decode(box: $0).encoded },
        SampleDescriptionBox.type: { try SampleDescriptionBox.decode(box: $0).encoded },
        TimeToSampleBox.type: { try TimeToSampleBox.decode(box: $0).encoded },
        CompositionOffsetBox.type: { try CompositionOffsetBox.decode(box: $0).encoded },
        SyncSampleBox.type: { try SyncSampleBox.decode(box: $0).encoded },
        SampleSizeBox.type: { try SampleSizeBox.decode(box: $0).encoded },
        SampleToChunkBox.type: { try SampleToChunkBox.decode(box: $0).encoded },
        ChunkOffsetBox.type: { try ChunkOffsetBox.decode(box: $0).encoded },
        ChunkLargeOffsetBox.type: { try ChunkLargeOffsetBox.decode(box: $0).encoded },
    ]

    func testEveryModelledFixtureBoxWritesBackByteForByte() throws {
        var seen: Set<FourCC> = []
        for fixture in MP4Fixture.allCases {
            let file = try fixture.bytes()
            let tree = try BoxTree(bytes: file)
            for node in tree.allNodes {
                // The hdlr of udta/meta is QuickTime's (reserved bytes hold 'appl'); the model
                // writes ISO's zeros, so only the media handlers are compared.
                if node.type == HandlerBox.type {
                    guard tree.first("moov")?.children(ofType: "trak").contains(where: { $0.descendant("mdia", "hdlr") == node }) == true
                    else { continue }
                    let original = bytes(of: node, in: file)
                    XCTAssertEqual(try HandlerBox.decode(box: original).encoded, original, fixture.rawValue)
                    seen.insert(node.type)
                    continue
                }
                guard let codec = Self.codecs[node.type] else { continue }
                let original = bytes(of: node, in: file)
                XCTAssertEqual(try codec(original), original, "\(fixture.rawValue): '\(node.type)' at \(node.offset)")
                seen.insert(node.type)
            }
        }
        let expected: Set<FourCC> = ["ftyp", "mvhd", "tkhd", "mdhd", "hdlr", "elst", "vmhd", "smhd", "dref", "stsd",
                                     "stts", "ctts", "stss", "stsz", "stsc", "stco"]
        XCTAssertEqual(seen, expected, "every modelled box type of the fixtures was compared")
    }

    func testSampleEntriesAndTheirChildrenWriteBack() throws {
        for fixture in MP4Fixture.allCases {
            let tree = try BoxTree(path: fixture.path)
            for stsd in tree.allNodes where stsd.type == SampleDescriptionBox.type {
                let box = try stsd.decode(SampleDescriptionBox.self)
                for entry in box.entries {
                    switch entry {
                    case let .visual(visual):
                        XCTAssertNotNil(visual.configurationRecord, fixture.rawValue)
                        XCTAssertEqual(visual.width, 320)
                        XCTAssertEqual(visual.height, 240)
                    case let .audio(audio):
                        let esds = try XCTUnwrap(audio.children.first { $0.type == "esds" })
                        let decoded = try esds.decode(ElementaryStreamDescriptorBox.self)
                        XCTAssertEqual(decoded.encodedBody, esds.body, "\(fixture.rawValue) esds")
                        XCTAssertEqual(audio.sampleRate, 48000)
                        XCTAssertEqual(audio.channelCount, 2)
                    case let .other(raw):
                        XCTFail("\(fixture.rawValue): unexpected entry '\(raw.type)'")
                    }
                }
            }
        }
    }

    func testShapesTheFixturesLack() throws {
        func roundTrip<B: Box>(_ box: B, file: StaticString = #filePath, line: UInt = #line) throws {
            let bytes = box.encoded
            XCTAssertEqual(Int64(bytes.count), box.size, file: file, line: line)
            XCTAssertEqual(try B.decode(box: bytes), box, file: file, line: line)
            XCTAssertEqual(try B.decode(box: bytes).encoded, bytes, file: file, line: line)
        }
        try roundTrip(ChunkLargeOffsetBox(entries: [48, 0x1_0000_0000, UInt64(Int64.max)]))
        try roundTrip(CompositionOffsetBox(entries: [.init(sampleCount: 1, value: -512), .init(sampleCount: 3, value: 1024)]))
        XCTAssertEqual(CompositionOffsetBox(entries: [.init(sampleCount: 1, value: -1)]).version, 1)
        try roundTrip(EditListBox(entries: [.init(segmentDuration: 100, mediaTime: -1),
                                            .init(segmentDuration: 0x1_0000_0000, mediaTime: 1024)]))
        XCTAssertEqual(EditListBox(entries: [.init(segmentDuration: 0x1_0000_0000, mediaTime: 0)]).version, 1)
        try roundTrip(SampleSizeBox(sizes: .constant(size: 4, sampleCount: 1000)))
        try roundTrip(SampleSizeBox(sizes: .perSample([])))
        try roundTrip(MediaHeaderBox(timescale: 90000, duration: 0x2_0000_0000, language: "eng"))
        XCTAssertEqual(MediaHeaderBox(timescale: 1, duration: 0x2_0000_0000).times.version, 1)
        XCTAssertEqual(MediaHeaderBox(timescale: 1, duration: 1, language: "eng").language, "eng")
        try roundTrip(MovieHeaderBox(timescale: 1000, duration: 0x1_0000_0000, nextTrackID: 3))
        try roundTrip(TrackHeaderBox(trackID: 7, duration: 0x1_0000_0000, isAudio: false, width: 1920, height: 1080))
        try roundTrip(FileTypeBox(majorBrand: "isom", minorVersion: 512, compatibleBrands: ["isom", "iso2", "mp41"]))
        try roundTrip(HandlerBox(handlerType: "vide", name: "VideoHandler"))
        try roundTrip(DataReferenceBox.selfContained)

        let avc1 = VisualSampleEntry(codingName: "avc1", width: 1280, height: 720, configurationRecord: [1, 0x64, 0, 0x1F],
                                     compressorName: "a compressor name longer than thirty-one bytes")
        let hev1 = VisualSampleEntry(codingName: "hev1", width: 640, height: 360, configurationRecord: [1, 2, 3])
        let mp4a = AudioSampleEntry(channelCount: 2, sampleRate: 44100,
                                    descriptor: ElementaryStreamDescriptor(audioSpecificConfig: [0x12, 0x10], esID: 2))
        let stsd = SampleDescriptionBox(entries: [.visual(avc1), .visual(hev1), .audio(mp4a),
                                                  .other(RawBox(type: "tx3g", body: [9, 9]))])
        let decoded = try SampleDescriptionBox.decode(box: stsd.encoded)
        XCTAssertEqual(decoded.encoded, stsd.encoded)
        guard case let .visual(first) = decoded.entries[0], case let .visual(second) = decoded.entries[1],
              case let .audio(audio) = decoded.entries[2] else { return XCTFail("entry kinds") }
        XCTAssertEqual(first.compressorName, "a compressor name longer than t")
        XCTAssertEqual(first.configurationRecord, [1, 0x64, 0, 0x1F])
        XCTAssertEqual(second.children.first?.type, "hvcC")
        XCTAssertEqual(audio.elementaryStreamDescriptor?.decoderSpecificInfo, [0x12, 0x10])
        XCTAssertEqual(decoded.entries[3], .other(RawBox(type: "tx3g", body: [9, 9])))
    }

    func testAudioRatesAbove16BitsAreWrittenAsZero() throws {
        let entry = AudioSampleEntry(channelCount: 2, sampleRate: 96000,
                                     descriptor: ElementaryStreamDescriptor(audioSpecificConfig: [0x10, 0x10]))
        let decoded = try SampleDescriptionBox.decode(box: SampleDescriptionBox(entries: [.audio(entry)]).encoded)
        guard case let .audio(audio) = decoded.entries[0] else { return XCTFail("audio entry") }
        XCTAssertEqual(audio.sampleRate, 0)
    }

    func testQuickTimeSoundDescriptionIsRefused() throws {
        var body = AudioSampleEntry(channelCount: 2, sampleRate: 48000,
                                    descriptor: ElementaryStreamDescriptor(audioSpecificConfig: [0x11, 0x90]))
        body.children = []
        var bytes = SampleDescriptionBox(entries: [.audio(body)]).encoded
        // stsd header and version/count (16), entry header (8), reserved and data_reference_index
        // (8): the QuickTime version's low byte is at 33.
        bytes[33] = 1
        XCTAssertThrowsError(try SampleDescriptionBox.decode(box: bytes)) { error in
            guard case .unsupportedVersion("mp4a", 1, _)? = error as? MP4ParseError else { return XCTFail("\(error)") }
        }
    }
}
