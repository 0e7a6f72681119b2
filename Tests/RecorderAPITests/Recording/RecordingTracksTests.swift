import MediaCore
@testable import Recorder
import XCTest

/// The tracks a recording records, and the numbering of each file's sample descriptions.
final class RecordingTracksTests: XCTestCase {
    private typealias P = RecordingPieces

    func testAnFLVRecordingRefusesASecondAudioTrackOnce() {
        var tracks = RecordingTracks(type: .flv)
        XCTAssertEqual(tracks.announce(P.video), .recorded)
        XCTAssertEqual(tracks.announce(P.audio), .recorded)
        var second = P.audio
        second.trackID = 3
        guard case .refused(let refused) = tracks.announce(second) else { return XCTFail("a second audio track in FLV") }
        XCTAssertTrue(refused.reason.contains("FLV holds one audio track"), refused.reason)
        XCTAssertEqual(tracks.announce(second), .stillRefused)
        XCTAssertTrue(tracks.isRefused(3))
        XCTAssertEqual(tracks.order, [1, 2])
        XCTAssertTrue(tracks.hasVideo && tracks.hasAudio)
    }

    func testDescriptionsAreNumberedAsTheStreamNumbersThem() {
        var tracks = P.tracks([P.video])
        let wide = SampleDescription(codec: .h264, configuration: [2], width: 640, height: 480)
        XCTAssertTrue(tracks.addDescription(wide, index: 3, toTrack: 1))
        XCTAssertEqual(tracks[1]?.sampleDescriptions.count, 3, "a gap is filled so frames keep their number")
        XCTAssertFalse(tracks.addDescription(wide, index: 2, toTrack: 9))
    }

    /// A file starts with each track's current description as its number 1.
    func testAFileNumbersItsDescriptionsFromOne() {
        var tracks = P.tracks([P.video, P.audio])
        let wide = SampleDescription(codec: .h264, configuration: [2], width: 640, height: 480)
        _ = tracks.addDescription(wide, index: 2, toTrack: 1)
        var file = ChunkTracks(current: tracks)
        XCTAssertEqual(file.tracks.map(\.trackID), [1, 2])
        XCTAssertEqual(file.tracks[0].sampleDescriptions, [wide])
        XCTAssertEqual(file.localIndex(track: 1, streamIndex: 2), .local(1))
        XCTAssertEqual(file.localIndex(track: 1, streamIndex: 1), .unknownDescription)
        XCTAssertEqual(file.localIndex(track: 7, streamIndex: 1), .notInFile)
        let tall = SampleDescription(codec: .h264, configuration: [3], width: 480, height: 640)
        let local = file.appendDescription(tall, toTrack: 1)
        XCTAssertEqual(local, 2)
        file.map(3, to: 2, track: 1)
        XCTAssertEqual(file.localIndex(track: 1, streamIndex: 3), .local(2))
        XCTAssertNil(file.appendDescription(tall, toTrack: 7))
    }
}
