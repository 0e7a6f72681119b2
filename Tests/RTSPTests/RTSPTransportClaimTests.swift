import Containers
import Foundation
import MediaCore
import Recorder
import Synchronization
import TestSupport
import XCTest

/// What the RTSP push server tells the engine about a publisher's transport: with RTP over UDP
/// the stream is claimed as a UDP one, so that a stalled disk drops its frames at once instead
/// of making the reader wait while the kernel drops datagrams unseen (docs/recording.md; the
/// engine's side is DiskBacklogTests); interleaved in the TCP connection it is a TCP one, whose
/// reader waits for room.
final class RTSPTransportClaimTests: XCTestCase {
    /// An ingest sink that allows every publisher and remembers how each stream was claimed.
    private final class ClaimRecorder: IngestSink {
        private struct State {
            var transports: [String: IngestTransport] = [:]
            var frames: [String: Int] = [:]
            var ended: Set<String> = []
        }
        private let state = Mutex(State())

        var transports: [String: IngestTransport] { state.withLock { $0.transports } }
        var frames: [String: Int] { state.withLock { $0.frames } }
        var ended: Set<String> { state.withLock { $0.ended } }

        func authorizePublish(_ request: PublishRequest) -> PublishDecision { .allow(name: request.name) }
        func requiredPublishKeys(for name: String) -> [String] { [] }
        func notePublishRefused(_ request: PublishRequest, _ refusal: PublishRefusal) {}
        func streamStarted(_ name: String, source: String, clientAddress: String?, transport: IngestTransport) throws {
            state.withLock { $0.transports[name] = transport }
        }
        func streamEvent(_ name: String, _ event: DemuxEvent) {
            if case .frame = event { state.withLock { $0.frames[name, default: 0] += 1 } }
        }
        func streamEnded(_ name: String) { _ = state.withLock { $0.ended.insert(name) } }
    }

    func testAPublisherOverUDPIsClaimedAsUDPAndOneOverTCPAsTCP() throws {
        try FFmpegCheck.require()
        let sink = ClaimRecorder()
        let listener = RTSPIngest.listener(host: "127.0.0.1", port: 0, engine: sink)
        try listener.start()
        defer { listener.stop() }
        let source = TestPaths.fixture("mp4/h264_aac.mp4")
        for transport in ["udp", "tcp"] {
            let out = try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-re", "-t", "1", "-i", source, "-c", "copy", "-f", "rtsp",
                                                      "-rtsp_transport", transport, "rtsp://127.0.0.1:\(listener.port)/live/cam_\(transport)"])
            XCTAssertEqual(out.status, 0, out.stderr)
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while sink.ended.count < 2 && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertEqual(sink.ended, ["cam_udp", "cam_tcp"], "each publisher's TEARDOWN ends its stream")
        XCTAssertEqual(sink.transports, ["cam_udp": .udp, "cam_tcp": .tcp])
        XCTAssertGreaterThan(sink.frames["cam_udp"] ?? 0, 20, "the UDP publisher's media arrived")
        XCTAssertGreaterThan(sink.frames["cam_tcp"] ?? 0, 20, "the TCP publisher's media arrived")
    }
}
