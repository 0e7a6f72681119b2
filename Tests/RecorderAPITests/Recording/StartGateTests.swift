import MediaCore
@testable import Recorder
import XCTest

/// The recording's one buffer: where the first file opens, and each file's origin.
final class StartGateTests: XCTestCase {
    private typealias P = RecordingPieces

    private func admit(_ frame: MediaFrame, _ gate: inout StartGate, _ tracks: RecordingTracks) -> StartGate.Admission {
        gate.admit(frame, track: tracks[frame.trackID]!, tracks: tracks)
    }

    func testVideoBeforeTheFirstKeyframeIsDroppedAndTheFileOpensAtTheKeyframe() {
        let tracks = P.tracks([P.video, P.audio])
        var gate = StartGate()
        XCTAssertEqual(admit(P.videoFrame(ms: 0), &gate, tracks), .waiting(dropped: 1))
        XCTAssertEqual(admit(P.videoFrame(ms: 40), &gate, tracks), .waiting(dropped: 1))
        let key = P.videoFrame(ms: 80, key: true)
        XCTAssertEqual(admit(key, &gate, tracks), .opening(key, timescale: 90_000, dropped: 0))
        XCTAssertEqual(gate.phase, .decidingOrigin(opening: key, timescale: 90_000))
        XCTAssertEqual(gate.held, [key])
    }

    /// Issue 13: audio presented up to the origin window before the first keyframe stays, and
    /// the file's origin moves to it; older audio does not.
    func testTheAudioLeadIsKeptAndBecomesTheOrigin() {
        let tracks = P.tracks([P.video, P.audio])
        var gate = StartGate()
        let old = P.audioFrame(ms: 0), lead = P.audioFrame(ms: 900)
        XCTAssertEqual(admit(old, &gate, tracks), .waiting(dropped: 0))
        XCTAssertEqual(admit(lead, &gate, tracks), .waiting(dropped: 0))
        let key = P.videoFrame(ms: 1000, key: true)
        XCTAssertEqual(admit(key, &gate, tracks), .opening(key, timescale: 90_000, dropped: 1), "the audio at 0 ms is dropped")
        XCTAssertNil(gate.releaseIfDecided(tracks: tracks), "the origin window is not over")
        _ = admit(P.audioFrame(ms: 1100), &gate, tracks)
        _ = admit(P.videoFrame(ms: 1500), &gate, tracks)
        let release = gate.releaseIfDecided(tracks: tracks)
        XCTAssertEqual(release?.frames, [lead, key, P.audioFrame(ms: 1100), P.videoFrame(ms: 1500)])
        XCTAssertEqual(release.map { Double($0.origin.ticks) / Double($0.origin.scale) }, 0.9, "the origin is the audio lead")
        XCTAssertEqual(gate.phase, .passing)
        XCTAssertEqual(admit(P.videoFrame(ms: 1540), &gate, tracks), .pass)
        XCTAssertTrue(gate.held.isEmpty)
    }

    /// A keyframe before the audio track is announced waits for it (MPEG-TS announces audio
    /// with its first PES), at most the startup window.
    func testAKeyframeWaitsForTheAudioTrackAtMostASecond() {
        var tracks = P.tracks([P.video])
        var gate = StartGate()
        let key = P.videoFrame(ms: 0, key: true)
        XCTAssertEqual(admit(key, &gate, tracks), .waiting(dropped: 0))
        XCTAssertEqual(admit(P.videoFrame(ms: 40), &gate, tracks), .waiting(dropped: 0))
        _ = tracks.announce(P.audio)
        XCTAssertEqual(admit(P.audioFrame(ms: 30), &gate, tracks), .opening(key, timescale: 90_000, dropped: 0))

        let videoOnly = P.tracks([P.video])
        var alone = StartGate()
        _ = admit(key, &alone, videoOnly)
        for ms in stride(from: Int64(40), to: 1000, by: 40) {
            XCTAssertEqual(admit(P.videoFrame(ms: ms), &alone, videoOnly), .waiting(dropped: 0))
        }
        XCTAssertEqual(admit(P.videoFrame(ms: 1000), &alone, videoOnly), .opening(key, timescale: 90_000, dropped: 0))
    }

    /// No video after a second of audio: an audio-only stream opens at its first frame.
    func testAnAudioOnlyStreamOpensAtItsFirstFrameAfterTheStartupWindow() {
        let tracks = P.tracks([P.audio])
        var gate = StartGate()
        for ms in stride(from: Int64(0), to: 1000, by: 20) {
            XCTAssertEqual(admit(P.audioFrame(ms: ms), &gate, tracks), .waiting(dropped: 0))
        }
        XCTAssertEqual(admit(P.audioFrame(ms: 1000), &gate, tracks), .opening(P.audioFrame(ms: 0), timescale: 48_000, dropped: 0))
        let release = gate.release(tracks: tracks)
        XCTAssertEqual(release?.frames.count, 51)
        XCTAssertEqual(release?.origin.ticks, 0)
    }

    /// Waiting for video, the gate keeps only the last second of audio: it stays bounded.
    func testAudioWaitingForTheFirstKeyframeIsBoundedToTheStartupWindow() {
        let tracks = P.tracks([P.video, P.audio])
        var gate = StartGate()
        for ms in stride(from: Int64(0), through: 10_000, by: 20) { _ = admit(P.audioFrame(ms: ms), &gate, tracks) }
        XCTAssertEqual(gate.held.first, P.audioFrame(ms: 9000))
        XCTAssertEqual(gate.held.count, 51)
        XCTAssertEqual(gate.heldBytes, 51 * 4)
    }

    /// Leading pictures of an open GOP (presented before the keyframe) do not set the origin.
    func testALeadingPictureDoesNotMoveTheOrigin() {
        let tracks = P.tracks([P.video, P.audio])
        var gate = StartGate()
        let key = P.videoFrame(ms: 1000, key: true)
        _ = admit(key, &gate, tracks)
        _ = admit(P.videoFrame(ms: 1040, ptsMs: 960), &gate, tracks)
        _ = admit(P.videoFrame(ms: 1600), &gate, tracks)
        let release = gate.releaseIfDecided(tracks: tracks)
        XCTAssertEqual(release?.origin.ticks, key.pts)
        XCTAssertEqual(release?.origin.isLeadingPicture(P.videoFrame(ms: 1040, ptsMs: 960), track: P.video), true)
    }

    /// A split restarts the origin window at the next file's keyframe; the end of a recording
    /// opens a keyframe still waiting for audio (a stream shorter than the window has its file).
    func testRestartAndTheEndOfTheRecording() {
        let tracks = P.tracks([P.video, P.audio])
        var gate = StartGate()
        let key = P.videoFrame(ms: 0, key: true)
        _ = admit(key, &gate, tracks)
        _ = gate.release(tracks: tracks)
        let next = P.videoFrame(ms: 2000, key: true)
        gate.restart(at: next, timescale: 90_000)
        XCTAssertEqual(admit(next, &gate, tracks), .waiting(dropped: 0))
        XCTAssertEqual(gate.release(tracks: tracks)?.origin.opening, next)

        var short = StartGate()
        let videoOnly = P.tracks([P.video])
        _ = admit(key, &short, videoOnly)
        XCTAssertEqual(short.openWhatIsHeld()?.opening, key)
        XCTAssertEqual(short.release(tracks: videoOnly)?.frames, [key])

        var audioWaiting = StartGate()
        _ = admit(P.audioFrame(ms: 0), &audioWaiting, tracks)
        XCTAssertNil(audioWaiting.openWhatIsHeld())
        XCTAssertTrue(audioWaiting.held.isEmpty, "audio that never saw its video is let go")
    }

    /// Timestamps that never advance cannot hold more than the byte bound.
    func testTheGateIsBoundedInBytesWhateverTheTimestamps() {
        let tracks = P.tracks([P.video, P.audio])
        var gate = StartGate()
        let big = StartGate.maxHeldBytes / 4
        _ = admit(P.videoFrame(ms: 0, key: true, bytes: big), &gate, tracks)
        var release: StartGate.Release?
        for _ in 0..<5 where release == nil {
            _ = admit(P.videoFrame(ms: 0, bytes: big), &gate, tracks)
            release = gate.releaseIfDecided(tracks: tracks)
        }
        XCTAssertNotNil(release, "the origin is decided once the gate holds more than its bound")
        XCTAssertLessThanOrEqual(release?.frames.count ?? 99, 5)
    }
}
