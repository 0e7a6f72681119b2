import Foundation
import Glibc
import MediaCore
import Recorder
import TestSupport
import XCTest

/// Timestamp discontinuities (an encoder restart, an hour's gap, a jump on one track, jitter)
/// in MPEG-TS files, MPEG-TS over UDP and FLV files, recorded to every output type: each file
/// decodes silently, its decoding times only go forward, every source frame is there in
/// order, and each jump is reported once per track.
final class TimelineRecordingTests: XCTestCase {
    private func record(_ input: StreamInput, type: String, onListening: @escaping (UInt16) -> Void = { _ in })
        throws -> (OneShotRecording.Outcome, String) {
        let dir = TestPaths.temporaryDirectory("timeline")
        let parameters = try RecordParameters(pairs: [("localStreamName", "s"), ("pathToFile", dir + "/out"), ("type", type)])
        var recording = OneShotRecording(parameters: parameters, resolvedPath: dir + "/out", input: input)
        recording.mp4writerPath = TestPaths.executable("mp4writer")
        recording.silence = 1
        recording.onListening = onListening
        let outcome = try recording.run()
        XCTAssertEqual(outcome.errors, [], "\(input) -> \(type)")
        return (outcome, dir + "/out.\(type)")
    }

    /// What the outcome must say of each jump: one discontinuity per track, or none for jitter.
    private func assertReported(_ outcome: OneShotRecording.Outcome, _ jump: DiscontinuousInputs.Jump, _ label: String) {
        let tracks = outcome.discontinuities.map(\.trackID).sorted()
        switch jump {
        case .restart:
            XCTAssertEqual(tracks, [1, 2], label)
            XCTAssertTrue(outcome.discontinuities.allSatisfy { $0.cause == .backward }, "\(label): \(outcome.discontinuities)")
        case .gap:
            XCTAssertEqual(tracks, [1, 2], label)
            XCTAssertTrue(outcome.discontinuities.allSatisfy { $0.cause == .forward && $0.foundSeconds > 3_500 }, "\(label): \(outcome.discontinuities)")
        case .oneTrack:
            XCTAssertEqual(tracks, [2], label)
        case .jitter:
            XCTAssertEqual(tracks, [], label)
        case .indicator:
            XCTAssertEqual(tracks, [1, 2], label)
            XCTAssertTrue(outcome.discontinuities.allSatisfy { $0.cause == .indicator }, "\(label): \(outcome.discontinuities)")
        }
    }

    func testEveryJumpInATSFileToEveryOutputType() throws {
        try FFmpegCheck.require()
        let inputs = TestPaths.temporaryDirectory("timeline-inputs")
        for jump in DiscontinuousInputs.Jump.allCases {
            let source = try DiscontinuousInputs.ts(jump, in: inputs)
            for type in ["mp4", "flv", "ts"] {
                let label = "\(jump) TS -> \(type)"
                let (outcome, output) = try record(.file(source), type: type)
                assertReported(outcome, jump, label)
                XCTAssertEqual(outcome.droppedFrames, 0, label)
                try DiscontinuousInputs.assertRecording(output, holds: jump, label)
            }
        }
    }

    func testRestartGapAndJitterInAnFLVFile() throws {
        try FFmpegCheck.require()
        let inputs = TestPaths.temporaryDirectory("timeline-flv")
        for jump in [DiscontinuousInputs.Jump.restart, .gap, .jitter] {
            let source = try DiscontinuousInputs.flv(jump, in: inputs)
            for type in ["mp4", "flv", "ts"] {
                let label = "\(jump) FLV -> \(type)"
                let (outcome, output) = try record(.file(source), type: type)
                assertReported(outcome, jump, label)
                try DiscontinuousInputs.assertRecording(output, holds: jump, label)
            }
        }
    }

    /// ffmpeg's FLV of an encode whose audio starts 50 ms before its first picture: the audio
    /// before the first keyframe is kept (every AAC packet), and the pictures are the source's.
    func testAudioBeforeTheFirstKeyframeIsKept() throws {
        try FFmpegCheck.require()
        let source = TestPaths.fixture("timeline/audio_lead.flv")
        let audio = try FFmpegCheck.packetHashes(source, stream: "a")
        for type in ["mp4", "flv", "ts"] {
            let (outcome, output) = try record(.file(source), type: type)
            XCTAssertEqual(outcome.droppedFrames, 0, type)
            XCTAssertEqual(try FFmpegCheck.complaints(output), "", type)
            XCTAssertEqual(try FFmpegCheck.packetHashes(output, stream: "a", bitstreamFilter: type == "ts" ? "aac_adtstoasc" : nil),
                           audio, "\(type): every AAC packet, the lead included")
            XCTAssertEqual(try DiscontinuousInputs.decodedVideo(output), try DiscontinuousInputs.decodedVideo(source), type)
        }
    }

    /// The restart as an encoder sends it over UDP, in datagrams of 7 packets.
    func testRestartOverUDP() throws {
        try FFmpegCheck.require()
        let inputs = TestPaths.temporaryDirectory("timeline-udp")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try DiscontinuousInputs.ts(.restart, in: inputs))))
        let (outcome, output) = try record(.udp(host: "127.0.0.1", port: 0), type: "mp4") { port in
            Thread.detachNewThread { Self.sendDatagrams(bytes, to: port) }
        }
        assertReported(outcome, .restart, "restart UDP -> mp4")
        try DiscontinuousInputs.assertRecording(output, holds: .restart, "restart UDP -> mp4")
    }

    /// Sends `bytes` to 127.0.0.1:`port` in 1316-byte datagrams, paced so that the loopback
    /// receive buffer never overflows.
    static func sendDatagrams(_ bytes: [UInt8], to port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        for start in stride(from: 0, to: bytes.count, by: 1316) {
            let piece = Array(bytes[start..<min(bytes.count, start + 1316)])
            _ = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, piece, piece.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            usleep(1_000)
        }
    }
}
