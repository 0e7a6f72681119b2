import MediaCore
@testable import Recorder
import XCTest

/// Every file starts at zero, the A/V offset kept; what cannot be in the file is refused.
final class TimestampRebaserTests: XCTestCase {
    private typealias P = RecordingPieces

    private let rebaser = TimestampRebaser(origin: FileOrigin(ticks: 900 * 48, scale: 48_000,
                                                              opening: RecordingPieces.videoFrame(ms: 1000, key: true), openingScale: 90_000))

    func testFramesAreShiftedByTheOriginInTheirOwnTimescale() {
        XCTAssertEqual(rebaser.rebase(P.videoFrame(ms: 1000, key: true), track: P.video, lastDTS: nil),
                       P.videoFrame(ms: 100, key: true), "the keyframe is 100 ms after the audio lead")
        XCTAssertEqual(rebaser.rebase(P.audioFrame(ms: 900), track: P.audio, lastDTS: nil), P.audioFrame(ms: 0))
    }

    func testWhatCannotBeInTheFileIsRefused() {
        XCTAssertNil(rebaser.rebase(P.audioFrame(ms: 899), track: P.audio, lastDTS: nil), "presented before the file's start")
        XCTAssertNil(rebaser.rebase(P.videoFrame(ms: 1040, ptsMs: 960), track: P.video, lastDTS: nil), "a leading picture")
        XCTAssertNil(rebaser.rebase(P.audioFrame(ms: 950), track: P.audio, lastDTS: P.audioFrame(ms: 60).dts), "decode time going back")
        XCTAssertNotNil(rebaser.rebase(P.audioFrame(ms: 950), track: P.audio, lastDTS: P.audioFrame(ms: 50).dts), "the same time is fine")
    }
}
