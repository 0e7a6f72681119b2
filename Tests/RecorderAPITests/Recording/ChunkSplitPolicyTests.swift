import MediaCore
@testable import Recorder
import XCTest

/// When a file closes: chunkLength, waitForIDR, winQtCompat.
final class ChunkSplitPolicyTests: XCTestCase {
    private typealias P = RecordingPieces

    private func policy(chunkLength: Int, waitForIDR: Bool = true, winQtCompat: Bool = false) -> ChunkSplitPolicy {
        var parameters = RecordParameters(localStreamName: "s", pathToFile: "/tmp/s")
        parameters.chunkLength = chunkLength
        parameters.waitForIDR = waitForIDR
        parameters.winQtCompat = winQtCompat
        return ChunkSplitPolicy(parameters: parameters)
    }

    func testUnchunkedNeverSplits() {
        let opening = P.videoFrame(ms: 0, key: true)
        XCTAssertFalse(policy(chunkLength: 0).shouldSplit(before: P.videoFrame(ms: 3_600_000, key: true), track: P.video,
                                                          opening: opening, openingScale: 90_000, payloadBytes: 1 << 30, streamHasVideo: true))
    }

    func testWaitForIDRSplitsAtTheFirstKeyframeAfterTheLength() {
        let split = policy(chunkLength: 2)
        let opening = P.videoFrame(ms: 0, key: true)
        func at(_ frame: MediaFrame, _ track: TrackDescription) -> Bool {
            split.shouldSplit(before: frame, track: track, opening: opening, openingScale: 90_000, payloadBytes: 0, streamHasVideo: true)
        }
        XCTAssertFalse(at(P.videoFrame(ms: 1960, key: true), P.video), "before the length")
        XCTAssertFalse(at(P.videoFrame(ms: 2000), P.video), "not a keyframe")
        XCTAssertFalse(at(P.audioFrame(ms: 2010), P.audio), "audio waits for the keyframe")
        XCTAssertTrue(at(P.videoFrame(ms: 2040, key: true), P.video))
    }

    func testWithoutWaitForIDROrWithoutVideoTheFirstFrameAfterTheLengthSplits() {
        let opening = P.videoFrame(ms: 0, key: true)
        XCTAssertTrue(policy(chunkLength: 2, waitForIDR: false).shouldSplit(
            before: P.videoFrame(ms: 2000), track: P.video, opening: opening, openingScale: 90_000, payloadBytes: 0, streamHasVideo: true))
        let audioOpening = P.audioFrame(ms: 0)
        XCTAssertTrue(policy(chunkLength: 2).shouldSplit(
            before: P.audioFrame(ms: 2000), track: P.audio, opening: audioOpening, openingScale: 48_000, payloadBytes: 0, streamHasVideo: false))
    }

    /// The length is measured in the frame's own timescale from the opening's presentation.
    func testTheLengthIsMeasuredAcrossTimescales() {
        let opening = P.videoFrame(ms: 500, key: true)
        let split = policy(chunkLength: 1, waitForIDR: false)
        XCTAssertFalse(split.shouldSplit(before: P.audioFrame(ms: 1499), track: P.audio, opening: opening, openingScale: 90_000,
                                         payloadBytes: 0, streamHasVideo: true))
        XCTAssertTrue(split.shouldSplit(before: P.audioFrame(ms: 1500), track: P.audio, opening: opening, openingScale: 90_000,
                                        payloadBytes: 0, streamHasVideo: true))
    }

    func testWinQtCompatSplitsBeforeThirtyTwoBitOffsetsRunOut() {
        let opening = P.videoFrame(ms: 0, key: true)
        let split = policy(chunkLength: 0, winQtCompat: true)
        let frame = P.videoFrame(ms: 40, bytes: 100)
        XCTAssertFalse(split.shouldSplit(before: frame, track: P.video, opening: opening, openingScale: 90_000,
                                         payloadBytes: ChunkSplitPolicy.winQtPayloadLimit - 100, streamHasVideo: true))
        XCTAssertTrue(split.shouldSplit(before: frame, track: P.video, opening: opening, openingScale: 90_000,
                                        payloadBytes: ChunkSplitPolicy.winQtPayloadLimit - 99, streamHasVideo: true))
        XCTAssertFalse(split.shouldSplit(before: frame, track: P.video, opening: opening, openingScale: 90_000,
                                         payloadBytes: nil, streamHasVideo: true), "no writer yet: nothing written")
    }
}
