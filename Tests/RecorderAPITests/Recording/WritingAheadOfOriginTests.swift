import Foundation
import MediaCore
@testable import Recorder
import StagingWriter
import Synchronization
import TestSupport
import XCTest

/// An MP4 file's first frames reach the kernel as they come, before the start gate has decided
/// the file's origin (its first `StartGate.originWindowSeconds`): a kill -9 in a recording's
/// first moments then loses no more than at any other time. The file's figures are still in
/// its own time (zero at the origin), and a track announced in the window is still part of it.
final class WritingAheadOfOriginTests: XCTestCase {
    private typealias P = RecordingPieces

    private final class Events: Sendable {
        let list = Mutex<[RecordingEvent]>([])
    }

    private func session(_ directory: String, events: Events) -> RecordingSession {
        RecordingSession(parameters: RecordParameters(localStreamName: "cam", pathToFile: directory + "/cam"),
                         resolvedPath: directory + "/cam", pool: nil,
                         onEvent: { event in events.list.withLock { $0.append(event) } })
    }

    /// The staging set as recovery would read it: kept samples per track id.
    private func keptSamples(_ path: String) throws -> [UInt32: Int] {
        let validation = try StagingSet(output: path).validate(verifyPayloads: true)
        return Dictionary(uniqueKeysWithValues: validation.tracks.map { ($0.trackID, $0.keptSamples) })
    }

    /// Polls until the staging set holds `expected` (the writer's flush deadline is a timer).
    private func waitForKept(_ path: String, _ expected: [UInt32: Int]) throws -> [UInt32: Int] {
        let deadline = ContinuousClock.now + .seconds(5)
        var kept: [UInt32: Int] = [:]
        while ContinuousClock.now < deadline {
            kept = (try? keptSamples(path)) ?? [:]
            if kept == expected { break }
            usleep(10_000)
        }
        return kept
    }

    func testTheFirstFramesReachTheKernelBeforeTheOriginIsDecided() throws {
        let directory = TestPaths.temporaryDirectory("ahead-of-origin")
        let events = Events()
        let recording = session(directory, events: events)
        try recording.handle(.track(P.video))
        try recording.handle(.track(P.audio))
        // An audio lead of 100 ms, the keyframe at 1 s, then 0.3 s of media: the window is not over.
        try recording.handle(.frame(P.audioFrame(ms: 900)))
        try recording.handle(.frame(P.videoFrame(ms: 1000, key: true, bytes: 500)))
        for ms in stride(from: Int64(1040), through: 1300, by: 40) {
            try recording.handle(.frame(P.videoFrame(ms: ms, bytes: 500)))
            try recording.handle(.frame(P.audioFrame(ms: ms - 20)))
        }
        let path = directory + "/cam.mp4"
        XCTAssertEqual(try waitForKept(path, [1: 8, 2: 8]), [1: 8, 2: 8],
                       "every frame of the origin window is in the staging set while the file is open")

        try recording.finish()
        let closed = events.list.withLock { $0.compactMap { if case .chunkClosed(let summary) = $0 { summary } else { nil } } }
        XCTAssertEqual(closed.count, 1)
        XCTAssertEqual(closed.first?.firstTimestamp[2] ?? -1, 0, accuracy: 1e-9, "the audio lead is the file's zero")
        XCTAssertEqual(closed.first?.firstTimestamp[1] ?? -1, 0.1, accuracy: 1e-9, "the keyframe is 100 ms after it")
        XCTAssertEqual(closed.first?.durationSeconds ?? -1, 0.38, accuracy: 1e-9, "to the last video frame, at 1.28 s")
        XCTAssertEqual(try keptSamples(path), [1: 8, 2: 8])
    }

    /// MPEG-TS often announces its audio just after the first picture: the first keyframe waits
    /// for it (up to `StartGate.startupWindowSeconds`), and an MP4 file is written meanwhile; the
    /// file is reported (`chunkCreated`, from which the catalog takes the tracks) once it opens.
    func testAKeyframeWaitingForTheAudioTrackIsWrittenMeanwhile() throws {
        let directory = TestPaths.temporaryDirectory("ahead-of-audio")
        let events = Events()
        let recording = session(directory, events: events)
        func created() -> Int { events.list.withLock { $0.filter { if case .chunkCreated = $0 { true } else { false } }.count } }
        try recording.handle(.track(P.video))
        for ms in stride(from: Int64(0), through: 280, by: 40) {
            try recording.handle(.frame(P.videoFrame(ms: ms, key: ms == 0, bytes: 500)))
        }
        let path = directory + "/cam.mp4"
        XCTAssertEqual(try waitForKept(path, [1: 8]), [1: 8], "the keyframe and what follows are in the staging set")
        XCTAssertEqual(created(), 0, "not reported before the audio track is known")
        try recording.handle(.track(P.audio))
        try recording.handle(.frame(P.audioFrame(ms: 300)))
        XCTAssertEqual(created(), 1)
        for ms in stride(from: Int64(320), through: 1000, by: 40) {
            try recording.handle(.frame(P.videoFrame(ms: ms, bytes: 500)))
            try recording.handle(.frame(P.audioFrame(ms: ms)))
        }
        try recording.finish()
        XCTAssertEqual(created(), 1)
        XCTAssertEqual(try keptSamples(path), [1: 26, 2: 19])
        let closed = events.list.withLock { $0.compactMap { if case .chunkClosed(let summary) = $0 { summary } else { nil } } }
        XCTAssertEqual(closed.first?.firstTimestamp[1] ?? -1, 0, accuracy: 1e-9, "the keyframe is the file's zero")
        XCTAssertEqual(closed.first?.firstTimestamp[2] ?? -1, 0.3, accuracy: 1e-9)
    }

    /// MPEG-TS announces a second audio language with its first PES, after the first picture:
    /// announced within the window, it is a track of the file although frames were written.
    func testATrackAnnouncedInTheWindowJoinsTheFile() throws {
        let directory = TestPaths.temporaryDirectory("ahead-of-origin-track")
        let events = Events()
        let recording = session(directory, events: events)
        let second = TrackDescription(trackID: 3, timescale: 48_000, sampleDescriptions: P.audio.sampleDescriptions)
        try recording.handle(.track(P.video))
        try recording.handle(.track(P.audio))
        try recording.handle(.frame(P.videoFrame(ms: 0, key: true)))
        try recording.handle(.frame(P.audioFrame(ms: 0)))
        try recording.handle(.track(second))
        for ms in stride(from: Int64(40), through: 1000, by: 40) {
            try recording.handle(.frame(P.videoFrame(ms: ms)))
            try recording.handle(.frame(P.audioFrame(ms: ms)))
            try recording.handle(.frame(MediaFrame(trackID: 3, dts: ms * 48, pts: ms * 48, isKeyframe: true, payload: [1, 2])))
        }
        try recording.finish()
        XCTAssertEqual(try keptSamples(directory + "/cam.mp4"), [1: 26, 2: 26, 3: 25])
    }
}
