import Foundation
import MediaCore
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// SIGKILL of `recorder serve` at a random moment while ffmpeg sends the stream in real time,
/// as MPEG-TS over TCP (`pullStream`) or published over RTMP (the recorder's ingest); the
/// restarted recorder must recover the recording at start-up.
///
/// Per trial: the recovered MP4 decodes silently; its video packets' decode times strictly
/// increase (audio too); its decoded video frames are source frames, in order, each once,
/// starting at a keyframe and contiguous (up to the B-frames a decode-order cut leaves
/// unpresented at the very end); and it holds the stream up to at most 1 s before the kill.
///
/// "Sent" is the -re clock: ffmpeg reads packets no faster than their decode time since it
/// started, so the wall time since ffmpeg was launched bounds from above what it had sent.
/// Over RTMP that wall time also includes the connect and publish exchange, so the bound is
/// looser still (it errs on the side of more loss).
final class CrashTrialTests: XCTestCase {
    static let fixture = "ts/h264_aac_10s.ts"
    static let frameRate = 25.0
    static let gop = 25
    /// The guarantee: a kill -9 loses at most this much of what was sent.
    static let maxLoss = 1.0

    /// How ffmpeg sends the fixture to the recorder.
    enum Transport: String {
        /// MPEG-TS over TCP, which the recorder pulls (`pullStream?uri=tcp://…`).
        case ts
        /// FLV tags published over RTMP to the recorder's ingest (`rtmp://…/live/cam`); the
        /// TS fixture is remuxed by ffmpeg on the way (`-c copy -f flv`), so the frames are
        /// the same.
        case rtmp
    }

    struct Trial {
        var killAfter = 0.0
        var recordedSeconds = 0.0
        var loss: Double { killAfter - recordedSeconds }
        /// RTMP: seconds from ffmpeg's launch to the recorder accepting its publish (the
        /// connect, createStream and publish exchange included); nil for TS or when not seen.
        var publishAfter: Double?
        var failures: [String] = []
    }

    func testSIGKILLAtRandomMomentsIsRecoveredAtRestart() throws {
        try runTrials(.ts, count: Reliability.count(ci: 10, long: 100), seed: Reliability.seed)
    }

    func testSIGKILLWhileRTMPPublishingIsRecoveredAtRestart() throws {
        try runTrials(.rtmp, count: Reliability.count(ci: 5, long: 50), seed: Reliability.seed ^ 0x2714)
    }

    private func runTrials(_ transport: Transport, count trials: Int, seed: UInt64) throws {
        try FFmpegCheck.require()
        let source = TestPaths.fixture(Self.fixture)
        let sourceHashes = try Probe.videoFrameMD5s(source)
        XCTAssertEqual(Set(sourceHashes).count, sourceHashes.count, "testsrc2 frames are all distinct")
        let position = Dictionary(uniqueKeysWithValues: sourceHashes.enumerated().map { ($1, $0) })
        var rng = SeededGenerator(seed: seed)
        var results: [Trial] = []
        let started = Date()
        for index in 0..<trials {
            let killAfter = Double.random(in: 1.0...9.0, using: &rng)
            var trial = try runTrial(transport, index: index, killAfter: killAfter, source: source, position: position)
            trial.killAfter = trial.killAfter == 0 ? killAfter : trial.killAfter
            for failure in trial.failures {
                XCTFail("\(transport.rawValue) trial \(index) (kill after \(String(format: "%.2f", trial.killAfter)) s, seed \(seed)): \(failure)")
            }
            results.append(trial)
        }
        let failed = results.filter { !$0.failures.isEmpty }.count
        let worst = results.map(\.loss).max() ?? 0
        let mean = results.map(\.loss).reduce(0, +) / Double(max(1, results.count))
        // Over RTMP, how much of the measured loss is ffmpeg's launch and publish exchange.
        let publish = results.compactMap(\.publishAfter)
        let publishFigure = publish.isEmpty ? "" : String(format: " (publish accepted %.3f to %.3f s after ffmpeg's launch)",
                                                          publish.min()!, publish.max()!)
        Reliability.report(String(format: "crash %@: %d trials, %d failed, worst loss %.3f s, mean loss %.3f s, %.0f s",
                                  transport.rawValue, trials, failed, worst, mean, Date().timeIntervalSince(started)) + publishFigure)
    }

    private func runTrial(_ transport: Transport, index: Int, killAfter: Double, source: String,
                          position: [String: Int]) throws -> Trial {
        var trial = Trial()
        let dir = TestPaths.temporaryDirectory("crash-\(transport.rawValue)\(index)")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var server = try RecorderProcess(directory: dir)
        _ = try server.command("/record?localStreamName=cam&pathToFile=cam")
        let destination: [String]
        switch transport {
        case .ts:
            let port = freeTCPPort()
            let pull = try server.command("/pullStream?uri=tcp://127.0.0.1:\(port)&localStreamName=cam")
            guard pull["status"] as? String == "SUCCESS" else {
                server.kill9()
                trial.failures.append("pullStream: \(pull)")
                return trial
            }
            destination = ["-f", "mpegts", "tcp://127.0.0.1:\(port)"]
        case .rtmp:
            guard server.rtmpPort > 0 else {
                server.kill9()
                trial.failures.append("no RTMP port in the start-up line; log:\n\(server.log_())")
                return trial
            }
            // The publish name is the stream name (the app, `live`, is informational).
            destination = ["-f", "flv", "rtmp://127.0.0.1:\(server.rtmpPort)/live/cam"]
        }
        let sender = Process()
        sender.executableURL = URL(fileURLWithPath: ExternalTool.find("ffmpeg")!)
        sender.arguments = ["-nostdin", "-v", "quiet", "-re", "-i", source, "-c", "copy", "-flush_packets", "1"] + destination
        sender.standardInput = FileHandle.nullDevice
        let launched = Date()
        try sender.run()
        let wait = killAfter - Date().timeIntervalSince(launched)
        if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
        server.kill9()
        trial.killAfter = Date().timeIntervalSince(launched)
        if transport == .rtmp { trial.publishAfter = Self.publishTime(in: server.log_()).map { $0 - launched.timeIntervalSince1970 } }
        if sender.isRunning { kill(sender.processIdentifier, SIGKILL) }
        sender.waitUntilExit()

        server = try RecorderProcess(directory: dir)
        server.stop()
        let output = dir + "/media/cam.mp4"
        guard FileSystem.exists(output) else {
            trial.failures.append("no recovered MP4; log:\n\(server.log_())")
            return trial
        }
        if FileSystem.exists(output + ".mdat") { trial.failures.append("the staging set is still there after recovery") }
        let complaints = try FFmpegCheck.complaints(output)
        if !complaints.isEmpty { trial.failures.append("does not decode silently: \(complaints)") }
        for stream in ["v", "a"] {
            let dts = try Probe.packetDTS(output, stream: stream)
            let bad = Probe.nonIncreasing(dts)
            if !bad.isEmpty { trial.failures.append("\(stream) packet dts not strictly increasing at \(bad.prefix(5))") }
        }
        let hashes = try Probe.videoFrameMD5s(output)
        let indexes = hashes.map { position[$0] }
        guard !hashes.isEmpty, indexes.allSatisfy({ $0 != nil }) else {
            trial.failures.append("\(hashes.count) decoded frames, \(indexes.filter { $0 == nil }.count) not from the source")
            return trial
        }
        let frames = indexes.map { $0! }
        if frames[0] % Self.gop != 0 { trial.failures.append("starts at source frame \(frames[0]), not a keyframe") }
        if zip(frames, frames.dropFirst()).contains(where: { $0 >= $1 }) {
            trial.failures.append("frames duplicated or out of order: \(frames)")
        }
        // Contiguous run from the first frame; a cut in decode order may leave the last
        // B-frames (at most 2 in this source) before the final reference frame unpresented.
        var run = 1
        while run < frames.count && frames[run] == frames[0] + run { run += 1 }
        let missingAtEnd = frames.last! - frames[0] + 1 - frames.count
        if run < frames.count && (missingAtEnd > 2 || frames.count - run > 1) {
            trial.failures.append("a hole inside the recording: \(frames)")
        }
        trial.recordedSeconds = Double(frames[0] + run) / Self.frameRate
        if trial.loss > Self.maxLoss {
            trial.failures.append(String(format: "lost %.3f s (recorded %.3f s of %.3f s sent)", trial.loss, trial.recordedSeconds, trial.killAfter))
        }
        return trial
    }

    /// The time (seconds since 1970) of the recorder's `rtmpPublish` event in its log.
    static func publishTime(in log: String) -> Double? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains(#""event":"rtmpPublish""#) }),
              let range = line.range(of: #""time":"#) else { return nil }
        return Double(line[range.upperBound...].prefix { $0.isNumber || $0 == "." })
    }
}
