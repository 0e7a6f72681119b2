import XCTest
import MediaCore
import StagingWriter
import SyntheticMedia
import TestSupport

final class StagingRoundTripTests: XCTestCase {
    private let audio = TrackDescription(trackID: 2, timescale: 48_000, sampleDescriptions: [
        SampleDescription(codec: .aac, configuration: [0x11, 0x90], sampleRate: 48_000, channelCount: 2),
    ])

    /// Writes interleaved video and audio with a description added mid-stream, then reads the
    /// set back: every sample, byte for byte, with its timestamps and flags.
    func testEverySampleComesBackByteForByte() throws {
        let dir = TestPaths.temporaryDirectory("roundtrip")
        let output = dir + "/rec.mp4"
        let source = SyntheticSource(sampleCount: 300, averageSize: 500)
        var written: [UInt32: [MediaFrame]] = [:]
        let writer = try StagingWriter(output: output)
        try writer.addTrack(SyntheticSource.trackDescription)
        try writer.addTrack(audio)
        var newDescription: UInt16 = 1
        for i in 0..<source.sampleCount {
            if i == 150 {
                var changed = SyntheticSource.trackDescription.sampleDescriptions[0]
                changed.width = 640
                changed.height = 480
                newDescription = try writer.addSampleDescription(changed, toTrack: 1)
                XCTAssertEqual(newDescription, 2)
            }
            var video = source.frame(i)
            video.sampleDescriptionIndex = i >= 150 ? newDescription : 1
            video.pts = video.dts + (i % 3 == 1 ? 6000 : 0)
            try writer.append(video)
            written[1, default: []].append(video)
            let sound = MediaFrame(trackID: 2, dts: Int64(i) * 1600, pts: Int64(i) * 1600, isKeyframe: true,
                                   payload: Array(source.payload(i + 100_000).prefix(64)))
            try writer.append(sound)
            written[2, default: []].append(sound)
        }
        try writer.close()

        let set = try StagingSet(output: output)
        XCTAssertTrue(set.info?.closedCleanly ?? false)
        let validation = try set.validate(verifyPayloads: true)
        XCTAssertTrue(validation.isClean, "\(validation.damageSummary)")
        XCTAssertEqual(validation.tracks.map(\.trackID), [1, 2])
        XCTAssertEqual(validation.tracks[0].descriptions.count, 2)
        XCTAssertEqual(validation.tracks[0].descriptions[1].width, 640)
        for track in validation.tracks {
            var read: [MediaFrame] = []
            try set.forEachKeptSample(of: track) { record in
                read.append(MediaFrame(trackID: track.trackID, dts: record.dts, pts: record.pts, isKeyframe: record.isSync,
                                       sampleDescriptionIndex: record.sampleDescriptionIndex,
                                       payload: try set.readPayload(record)))
            }
            XCTAssertEqual(read, written[track.trackID], "track \(track.trackID)")
        }
    }

    func testRefusesToOverwriteAnExistingSet() throws {
        let output = TestPaths.temporaryDirectory("exists") + "/rec.mp4"
        let first = try StagingWriter(output: output)
        try first.addTrack(SyntheticSource.trackDescription)
        XCTAssertThrowsError(try StagingWriter(output: output)) { error in
            XCTAssertTrue("\(error)".contains("already exists"), "\(error)")
        }
        try first.close()
    }

    func testLiveSetIsLockedUntilClosed() throws {
        let output = TestPaths.temporaryDirectory("lock") + "/rec.mp4"
        let writer = try StagingWriter(output: output)
        try writer.addTrack(SyntheticSource.trackDescription)
        try writer.append(SyntheticSource(sampleCount: 1).frame(0))
        try writer.flush()
        XCTAssertFalse(try StagingSet(output: output).acquireLock(), "a live set must be locked")
        try writer.close()
        XCTAssertTrue(try StagingSet(output: output).acquireLock())
    }

    func testTimestampsGoingBackwardsAreRefused() throws {
        let output = TestPaths.temporaryDirectory("backwards") + "/rec.mp4"
        let writer = try StagingWriter(output: output)
        try writer.addTrack(SyntheticSource.trackDescription)
        let source = SyntheticSource(sampleCount: 2)
        try writer.append(source.frame(1))
        XCTAssertThrowsError(try writer.append(source.frame(0)))
        try writer.close()
    }

    func testBuffersReachTheKernelWithinHalfASecondOfMedia() throws {
        let output = TestPaths.temporaryDirectory("flush") + "/rec.mp4"
        let writer = try StagingWriter(output: output)
        try writer.addTrack(SyntheticSource.trackDescription)
        let source = SyntheticSource(sampleCount: 100)
        // 30 fps: sample 15 is 0.5 s after sample 0, so the first 16 must be on disk.
        for i in 0...15 { try writer.append(source.frame(i)) }
        let validation = try StagingSet(output: output).validate(verifyPayloads: true)
        XCTAssertEqual(validation.tracks.first?.keptSamples, 16)
        try writer.close()
    }
}

extension StagingRoundTripTests {
    /// After a failed write (here: the .mdat descriptor closed under the writer, as a dead disk
    /// would fail it) the writer refuses to go on, and what was flushed before stays readable.
    func testAFailedWriteStopsTheWriterAndKeepsWhatWasFlushed() throws {
        let output = TestPaths.temporaryDirectory("failed") + "/rec.mp4"
        let writer = try StagingWriter(output: output)
        try writer.addTrack(SyntheticSource.trackDescription)
        let source = SyntheticSource(sampleCount: 100)
        for i in 0..<10 { try writer.append(source.frame(i)) }
        try writer.flush()
        // Make the next write fail with EBADF: replace .mdat's descriptor by a read-only one.
        let readOnly = open("/dev/null", O_RDONLY)
        let mdatFD = try XCTUnwrap((3..<256).first { fd in
            var target = [CChar](repeating: 0, count: 4096)
            let n = readlink("/proc/self/fd/\(fd)", &target, 4095)
            return n > 0 && String(decoding: target[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self).hasSuffix("rec.mp4.mdat")
        })
        XCTAssertEqual(dup2(readOnly, Int32(mdatFD)), Int32(mdatFD))
        close(readOnly)
        for i in 10..<12 { try writer.append(source.frame(i)) }
        XCTAssertThrowsError(try writer.flush())
        XCTAssertThrowsError(try writer.append(source.frame(12)), "a failed writer refuses more samples")
        XCTAssertThrowsError(try writer.close())
        let validation = try StagingSet(output: output).validate(verifyPayloads: true)
        XCTAssertEqual(validation.tracks.first?.keptSamples, 10, "the samples flushed before the failure are intact")
        XCTAssertFalse(validation.closedCleanly)
    }
}
