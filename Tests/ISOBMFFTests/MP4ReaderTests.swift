import MediaCore
import XCTest
@testable import ISOBMFF

final class MP4ReaderTests: XCTestCase {
    func testH264AAC() throws {
        let reader = try MP4Reader(path: MP4Fixture.h264AAC.path)
        XCTAssertEqual(reader.movieHeader.times.timescale, 1000)
        XCTAssertEqual(reader.tracks.map(\.trackID), [1, 2])
        XCTAssertEqual(reader.skippedTrackIDs, [])

        let video = reader.tracks[0]
        XCTAssertEqual(video.handlerType, "vide")
        XCTAssertEqual(video.kind, .video)
        XCTAssertEqual(video.timescale, 12800)
        XCTAssertEqual(video.duration, 38400)
        XCTAssertEqual(video.editList, [EditListBox.Entry(segmentDuration: 3000, mediaTime: 1024)])
        XCTAssertEqual(video.samples.count, 75)
        XCTAssertEqual(video.samples.indices.filter { video.samples[$0].isSync }, [0, 25, 50])
        let description = try XCTUnwrap(video.sampleDescriptions.first)
        XCTAssertEqual(description.codec, .h264)
        XCTAssertEqual(description.width, 320)
        XCTAssertEqual(description.height, 240)
        XCTAssertEqual(Array(description.configuration.prefix(4)), [0x01, 0x64, 0x00, 0x0D])
        XCTAssertEqual(description.configuration.count, 46)
        XCTAssertEqual(video.presentationEnd, 38400)
        XCTAssertEqual(video.trackDescription.kind, .video)

        let first = video.samples[0]
        XCTAssertEqual(first.offset, 48)
        XCTAssertEqual(first.size, 4989)
        XCTAssertEqual(first.dts, 0)
        XCTAssertEqual(first.compositionOffset, 1024)
        XCTAssertEqual(video.timeline.pts(of: first), 0)
        XCTAssertEqual(video.timeline.dts(of: first), -1024)

        let audio = reader.tracks[1]
        XCTAssertEqual(audio.handlerType, "soun")
        XCTAssertEqual(audio.timescale, 48000)
        XCTAssertEqual(audio.samples.count, 142)
        XCTAssertEqual(audio.samples.last?.duration, 640)
        XCTAssertTrue(audio.samples.allSatisfy(\.isSync), "no stss: every sample is a sync sample")
        XCTAssertEqual(audio.sampleDescriptions, [SampleDescription(codec: .aac, configuration: [0x11, 0x90, 0x56, 0xE5, 0x00],
                                                                    sampleRate: 48000, channelCount: 2)])
        // Encoder priming: the first AAC frame is presented before 0 and discarded.
        XCTAssertEqual(audio.timeline.pts(of: audio.samples[0]), -1024)
        XCTAssertTrue(audio.timeline.isDiscarded(audio.samples[0]))
        XCTAssertFalse(audio.timeline.isDiscarded(audio.samples[1]))
        XCTAssertEqual(audio.presentationEnd, 144_000)
        XCTAssertEqual(audio.samples.last.map { audio.timeline.pts(of: $0) + Int64($0.duration) }, 144_000)
    }

    func testSamplePayloadsAreLengthPrefixedNALUnits() throws {
        let reader = try MP4Reader(path: MP4Fixture.h265AAC.path)
        let video = reader.tracks[0]
        XCTAssertEqual(video.sampleDescriptions[0].codec, .h265)
        for sample in video.samples.prefix(10) {
            let payload = try reader.readSamplePayload(sample)
            XCTAssertEqual(payload.count, Int(sample.size))
            var position = 0
            while position < payload.count {
                let length = payload[position..<position + 4].reduce(0) { $0 << 8 | Int($1) }
                position += 4 + length
            }
            XCTAssertEqual(position, payload.count, "NAL unit lengths tile the sample")
        }
    }

    func testFramesAreInFileOrderOnTheCommonTimeline() throws {
        let reader = try MP4Reader(path: MP4Fixture.h264AAC.path)
        let frames = try reader.frames()
        XCTAssertEqual(frames.count, 75 + 142)
        XCTAssertEqual(frames.first?.trackID, 1)
        XCTAssertEqual(frames.first?.pts, 0)
        XCTAssertEqual(frames.first?.dts, -1024)
        XCTAssertEqual(frames.first?.isKeyframe, true)
        XCTAssertEqual(frames.first(where: { $0.trackID == 2 })?.pts, -1024)
        let stored = reader.tracks.flatMap(\.samples).sorted { $0.offset < $1.offset }
        XCTAssertEqual(frames.map(\.payload.count), stored.map { Int($0.size) })
        var iterator = reader.makeFrameIterator()
        XCTAssertEqual(iterator.remaining, frames.count)
        XCTAssertEqual(try iterator.next(), frames.first)
    }

    func testAudioOnlyAndVideoOnly() throws {
        let audio = try MP4Reader(path: MP4Fixture.aacOnly.path)
        XCTAssertEqual(audio.tracks.map(\.kind), [.audio])
        XCTAssertEqual(audio.tracks[0].samples.count, 142)
        let video = try MP4Reader(path: MP4Fixture.h264Only.path)
        XCTAssertEqual(video.tracks.map(\.kind), [.video])
        XCTAssertEqual(video.tracks[0].samples.count, 75)
    }

    func testOurLayoutReadsBack() throws {
        let source = try MP4Reader(path: MP4Fixture.h264AAC.path)
        let bytes = try TestMovieBuilder.rebuilt(from: source).build()
        let reader = try MP4Reader(bytes: bytes)
        XCTAssertEqual(reader.tree.topLevelTypes, ["ftyp", "moov", "mdat"])
        XCTAssertEqual(reader.tree.first("mdat")?.headerSize, 16)
        let stbl = try XCTUnwrap(reader.tree.first("moov")?.child("trak")?.descendant("mdia", "minf", "stbl"))
        XCTAssertNotNil(stbl.child("co64"))
        XCTAssertNil(stbl.child("stco"))
        XCTAssertEqual(try stbl.child("ctts")?.decode(CompositionOffsetBox.self).version, 1)

        let video = reader.tracks[0], sourceVideo = source.tracks[0]
        XCTAssertEqual(video.sampleDescriptions.count, 2)
        XCTAssertEqual(video.samples.map(\.sampleDescriptionIndex), (0..<75).map { $0 < 37 ? 1 : 2 })
        // Signed offsets and an edit at 0 present every frame when the fixture does; decoding
        // times move by the most negative offset (ffmpeg's dts_shift), not by the edit.
        XCTAssertEqual(video.samples.map { video.timeline.pts(of: $0) }, sourceVideo.samples.map { sourceVideo.timeline.pts(of: $0) })
        XCTAssertEqual(video.timeline.decodeShift, 512)
        XCTAssertTrue(video.samples.allSatisfy { video.timeline.dts(of: $0) <= video.timeline.pts(of: $0) })

        // The empty edit delays audio by 100 ms.
        let audio = reader.tracks[1], sourceAudio = source.tracks[1]
        XCTAssertEqual(audio.samples.map { audio.timeline.pts(of: $0) }, sourceAudio.samples.map { sourceAudio.timeline.pts(of: $0) + 4800 })
        XCTAssertEqual(audio.presentationEnd, 148_800)

        let payloads = try reader.frames().map(\.payload)
        XCTAssertEqual(payloads, try source.frames().map(\.payload))
    }

    func testMissingMovieAndMissingTables() throws {
        XCTAssertThrowsMP4Error(.missingBox("moov", parent: nil, at: 0)) {
            try MP4Reader(bytes: FileTypeBox(majorBrand: "isom", minorVersion: 0, compatibleBrands: []).encoded)
        }
        var builder = try TestMovieBuilder.rebuilt(from: MP4Reader(path: MP4Fixture.aacOnly.path))
        builder.tracks[0].samples.removeLast()
        builder.order.removeAll { $0.sample == builder.tracks[0].samples.count }
        var bytes = builder.build()
        // stts now counts one sample more than stsz.
        let tree = try BoxTree(bytes: bytes)
        let stts = try XCTUnwrap(tree.first("moov")?.descendant("trak", "mdia", "minf", "stbl", "stts"))
        bytes[Int(stts.header.bodyOffset) + 11] &+= 1  // first entry's sample count + 1
        XCTAssertThrowsMP4Error(.invalidValue("stts", reason: "describes 142 samples, stsz has 141", at: stts.offset)) {
            try MP4Reader(bytes: bytes)
        }
    }

    func testSamplesPastTheEndOfTheFileAreRefused() throws {
        let bytes = try TestMovieBuilder.rebuilt(from: MP4Reader(path: MP4Fixture.aacOnly.path)).build()
        let tree = try BoxTree(bytes: bytes)
        let co64 = try XCTUnwrap(tree.first("moov")?.descendant("trak", "mdia", "minf", "stbl", "co64"))
        var damaged = bytes
        damaged[Int(co64.header.bodyOffset) + 8] = 0x7F  // first chunk offset far past the end
        XCTAssertThrowsError(try MP4Reader(bytes: damaged)) { error in
            guard case .sampleOutsideFile? = error as? MP4ParseError else { return XCTFail("\(error)") }
        }
    }
}
