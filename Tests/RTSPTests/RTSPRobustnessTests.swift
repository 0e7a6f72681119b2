import Containers
import Foundation
import MediaCore
import RTSP
import TestSupport
import XCTest

/// The RTSP parsers on damaged input: a real camera's bytes (Tests/Fixtures/rtsp) cut at
/// every offset and mutated thousands of times go through the message decoder, SDP, track
/// formats, depacketizers and decode-time ordering without a crash and with bounded buffers.
final class RTSPRobustnessTests: XCTestCase {
    private let capture = Array(try! Data(contentsOf: URL(fileURLWithPath: TestPaths.fixture("rtsp/camera_h264_aac.bin"))))

    private func replay(_ bytes: [UInt8], pieces: Int = 1) -> (frames: Int, replay: RTSPCaptureReplay) {
        var replay = RTSPCaptureReplay()
        var frames = 0
        let step = max(1, bytes.count / pieces)
        var offset = 0
        while offset < bytes.count {
            replay.push(bytes[offset..<min(bytes.count, offset + step)], arrival: Double(offset) / 40_000) { if $0.frame != nil { frames += 1 } }
            XCTAssertLessThanOrEqual(replay.decoder.bufferedCount, step + replay.decoder.limits.maxHeadBytes + 65_540, "bounded buffer")
            offset += step
        }
        replay.finish { if $0.frame != nil { frames += 1 } }
        return (frames, replay)
    }

    func testTheCaptureReplaysToVideoAndAudioFrames() {
        let whole = replay(capture)
        XCTAssertEqual(whole.replay.errors, 0)
        XCTAssertEqual(whole.replay.messages, 5)
        XCTAssertGreaterThan(whole.frames, 60, "about 1.5 s of 25 fps video and 47 AAC frames a second")
        XCTAssertEqual(replay(capture, pieces: 997).frames, whole.frames, "the same in small pieces")
    }

    func testTruncatedAtEveryOffsetNeverCrashes() {
        var previous = 0
        for end in stride(from: 0, through: capture.count, by: 211) {
            let frames = replay(Array(capture[..<end])).frames
            XCTAssertGreaterThanOrEqual(frames + 2, previous, "a longer prefix never loses frames")
            previous = frames
        }
    }

    func testMutationsNeverCrashAndStayBounded() {
        var random = SeededGenerator(seed: 0x5254_5350)
        for trial in 0..<300 {
            var bytes = capture
            for _ in 0..<Int.random(in: 1...40, using: &random) {
                let i = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[i] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes[i] ^= 1 << UInt8.random(in: 0...7, using: &random)
                case 2: bytes.insert(contentsOf: [0x24, UInt8.random(in: 0...7, using: &random), 0xFF, 0xFF], at: i)
                default: bytes.removeSubrange(i..<min(bytes.count, i + Int.random(in: 1...300, using: &random)))
                }
                if bytes.isEmpty { bytes = [0] }
            }
            let result = replay(bytes, pieces: 1 + trial % 7)
            XCTAssertLessThanOrEqual(result.frames, 2000, "trial \(trial)")
        }
    }

    /// A head that does not parse is dropped once, not re-read by every later call (a fuzzer
    /// found a capture that took seconds that way).
    func testAnUnparsableHeadIsConsumed() throws {
        var decoder = RTSPStreamDecoder()
        decoder.push(Array("RTSP/1.0 abc\r\n\r\n".utf8) + [0x24, 0, 0, 1, 7])
        XCTAssertThrowsError(try decoder.next())
        XCTAssertEqual(try decoder.next(), .interleaved(channel: 0, payload: [7]))
    }

    func testHostileSDPAndPayloadsAreRefusedByName() {
        var sdp = "v=0\r\n"
        for _ in 0..<40 { sdp += "m=video 0 RTP/AVP 96\r\n" }
        XCTAssertThrowsError(try SessionDescription(parsing: Array(sdp.utf8)))
        let huge = "v=0\r\nm=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/48000/2\r\na=fmtp:97 mode=AAC-hbr;config=1190;sizelength=99\r\n"
        XCTAssertThrowsError(try RTPTrackFormat(media: try SessionDescription(parsing: Array(huge.utf8)).media[0]).makeDepacketizer())
    }
}
