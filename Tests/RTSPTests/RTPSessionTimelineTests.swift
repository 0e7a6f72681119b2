import Containers
@testable import RTSP
import XCTest

/// The one place an RTSP session's times are made: every track's RTP clock unwrapped, tracks
/// aligned by arrival (A/V sync), a jump closed on the track that jumped only, and a sender
/// report's RTP time placed on the same timeline.
final class RTPSessionTimelineTests: XCTestCase {
    static let video: UInt32 = 1, audio: UInt32 = 2
    static let videoRate: UInt32 = 90_000, audioRate: UInt32 = 48_000

    func testTracksAlignByArrivalWrapsAreStepsAndAJumpMovesOnlyItsTrack() {
        var timeline = RTPSessionTimeline()
        func video(_ rtp: UInt32, at arrival: Double) -> (time: Int64, jump: TimestampDiscontinuity?) {
            timeline.noteArrival(arrival)
            return timeline.place(rtp, trackID: Self.video, timescale: Self.videoRate, arrival: arrival)
        }
        func audio(_ rtp: UInt32, at arrival: Double) -> (time: Int64, jump: TimestampDiscontinuity?) {
            timeline.noteArrival(arrival)
            return timeline.place(rtp, trackID: Self.audio, timescale: Self.audioRate, arrival: arrival)
        }
        // Random bases (RFC 3550 5.1); video starts 40 ms before its clock wraps.
        let videoBase = UInt32.max - 3_599
        XCTAssertEqual(video(videoBase, at: 10.0).time, 0, "the stream's first frame is tick 0")
        XCTAssertEqual(audio(123_456, at: 10.5).time, 24_000, "audio's first frame sits where it arrived: 0.5 s in")
        var rtp = videoBase
        for frame in 1...3 {
            rtp &+= 3_600  // 25 fps; the second step wraps the 32-bit clock
            let placed = video(rtp, at: 10.0 + Double(frame) * 0.04)
            XCTAssertEqual(placed.time, Int64(frame) * 3_600, "a wrap is one frame step forward")
            XCTAssertNil(placed.jump)
        }
        // The camera's video clock jumps an hour ahead (an encoder restart): closed, one frame on.
        rtp &+= 3_600 + Self.videoRate * 3_600
        let jumped = video(rtp, at: 10.16)
        XCTAssertEqual(jumped.time, 4 * 3_600, "the track goes on one frame step after its latest")
        XCTAssertEqual(jumped.jump?.trackID, Self.video)
        XCTAssertEqual(jumped.jump?.cause, .forward)
        // Audio did not jump: it keeps its own pace and offset.
        let next = audio(123_456 + 1_024, at: 10.52)
        XCTAssertEqual(next.time, 24_000 + 1_024)
        XCTAssertNil(next.jump)
        // A sender report's RTP time lands on the timeline from the track's last frame.
        XCTAssertEqual(timeline.timelineTicks(ofRTP: rtp &+ 1_800, trackID: Self.video), 4 * 3_600 + 1_800)
        XCTAssertEqual(timeline.timelineTicks(ofRTP: 123_456 + 1_024 - 48_000, trackID: Self.audio), 24_000 + 1_024 - 48_000)
        XCTAssertNil(timeline.timelineTicks(ofRTP: 0, trackID: 9), "no frame of that track yet")
    }
}
