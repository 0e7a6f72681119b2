import MediaCore
@testable import Recorder
import XCTest

/// What a late record starts with: the frames since the latest keyframe, bounded.
final class PrerollBufferTests: XCTestCase {
    private typealias P = RecordingPieces

    func testItHoldsTheFramesSinceTheLatestKeyframe() {
        var preroll = PrerollBuffer()
        preroll.append(P.videoFrame(ms: 0), track: P.video, streamHasVideo: true)
        preroll.append(P.audioFrame(ms: 10), track: P.audio, streamHasVideo: true)
        XCTAssertTrue(preroll.frames.isEmpty, "nothing before the first keyframe")
        preroll.append(P.videoFrame(ms: 40, key: true), track: P.video, streamHasVideo: true)
        preroll.append(P.audioFrame(ms: 50), track: P.audio, streamHasVideo: true)
        preroll.append(P.videoFrame(ms: 80), track: P.video, streamHasVideo: true)
        let key = P.videoFrame(ms: 120, key: true)
        preroll.append(key, track: P.video, streamHasVideo: true)
        preroll.append(P.audioFrame(ms: 130), track: P.audio, streamHasVideo: true)
        XCTAssertEqual(preroll.frames, [key, P.audioFrame(ms: 130)])
        XCTAssertEqual(preroll.bytes, 14)
    }

    func testAnAudioOnlyStreamKeepsItsLastSecond() {
        var preroll = PrerollBuffer()
        for ms in stride(from: Int64(0), through: 5000, by: 20) {
            preroll.append(P.audioFrame(ms: ms), track: P.audio, streamHasVideo: false)
        }
        XCTAssertEqual(preroll.frames.first, P.audioFrame(ms: 4000), "one second before the newest frame")
        XCTAssertLessThanOrEqual(preroll.bytes, 52 * 4)
    }

    /// A GOP too big to hold is let go: a late record then waits for the next keyframe.
    func testAGOPOverTheBoundIsNotHeld() {
        var preroll = PrerollBuffer()
        let big = PrerollBuffer.maxBytes / 3
        preroll.append(P.videoFrame(ms: 0, key: true, bytes: big), track: P.video, streamHasVideo: true)
        preroll.append(P.videoFrame(ms: 40, bytes: big), track: P.video, streamHasVideo: true)
        preroll.append(P.videoFrame(ms: 80, bytes: big), track: P.video, streamHasVideo: true)
        XCTAssertEqual(preroll.frames.count, 3)
        preroll.append(P.videoFrame(ms: 120, bytes: big), track: P.video, streamHasVideo: true)
        XCTAssertTrue(preroll.frames.isEmpty)
        XCTAssertEqual(preroll.bytes, 0)
        preroll.append(P.videoFrame(ms: 160, bytes: 10), track: P.video, streamHasVideo: true)
        XCTAssertTrue(preroll.frames.isEmpty, "not until the next keyframe")
    }
}
