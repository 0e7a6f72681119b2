import Foundation
import MediaCore
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// SIGKILL of `recorder serve` at a random moment while ffmpeg sends MPEG-TS in real time
/// over TCP; the restarted recorder must recover the recording at start-up.
///
/// Per trial: the recovered MP4 decodes silently; its video packets' decode times strictly
/// increase (audio too); its decoded video frames are source frames, in order, each once,
/// starting at a keyframe and contiguous (up to the B-frames a decode-order cut leaves
/// unpresented at the very end); and it holds the stream up to at most 1 s before the kill.
///
/// "Sent" is the -re clock: ffmpeg reads packets no faster than their decode time since it
/// started, so the wall time since ffmpeg was launched bounds from above what it had sent.
final class CrashTrialTests: XCTestCase {
    static let fixture = "ts/h264_aac_10s.ts"
    static let frameRate = 25.0
    static let gop = 25
    /// The guarantee: a kill -9 loses at most this much of what was sent.
    static let maxLoss = 1.0

    struct Trial {
        var killAfter = 0.0
        var recordedSeconds = 0.0
        var loss: Double { killAfter - recordedSeconds }
        var failures: [String] = []
    }

    func testSIGKILLAtRandomMomentsIsRecoveredAtRestart() throws {
        try FFmpegCheck.require()
        let trials = Reliability.count(ci: 10, long: 100)
        let source = TestPaths.fixture(Self.fixture)
        let sourceHashes = try Probe.videoFrameMD5s(source)
        XCTAssertEqual(Set(sourceHashes).count, sourceHashes.count, "testsrc2 frames are all distinct")
        let position = Dictionary(uniqueKeysWithValues: sourceHashes.enumerated().map { ($1, $0) })
        var rng = SeededGenerator(seed: Reliability.seed)
        var results: [Trial] = []
        let started = Date()
        for index in 0..<trials {
            let killAfter = Double.random(in: 1.0...9.0, using: &rng)
            var trial = try runTrial(index: index, killAfter: killAfter, source: source, sourceHashes: sourceHashes, position: position)
            trial.killAfter = trial.killAfter == 0 ? killAfter : trial.killAfter
            for failure in trial.failures { XCTFail("trial \(index) (kill after \(String(format: "%.2f", trial.killAfter)) s): \(failure)") }
            results.append(trial)
        }
        let failed = results.filter { !$0.failures.isEmpty }.count
        let worst = results.map(\.loss).max() ?? 0
        let mean = results.map(\.loss).reduce(0, +) / Double(max(1, results.count))
        Reliability.report(String(format: "crash: %d trials, %d failed, worst loss %.3f s, mean loss %.3f s, %.0f s",
                                  trials, failed, worst, mean, Date().timeIntervalSince(started)))
    }

    private func runTrial(index: Int, killAfter: Double, source: String, sourceHashes: [String],
                          position: [String: Int]) throws -> Trial {
        var trial = Trial()
        let dir = TestPaths.temporaryDirectory("crash\(index)")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var server = try RecorderProcess(directory: dir)
        let port = freeTCPPort()
        _ = try server.command("/record?localStreamName=cam&pathToFile=cam")
        let pull = try server.command("/pullStream?uri=tcp://127.0.0.1:\(port)&localStreamName=cam")
        guard pull["status"] as? String == "SUCCESS" else {
            server.kill9()
            trial.failures.append("pullStream: \(pull)")
            return trial
        }
        let sender = Process()
        sender.executableURL = URL(fileURLWithPath: ExternalTool.find("ffmpeg")!)
        sender.arguments = ["-nostdin", "-v", "quiet", "-re", "-i", source, "-c", "copy", "-flush_packets", "1",
                            "-f", "mpegts", "tcp://127.0.0.1:\(port)"]
        sender.standardInput = FileHandle.nullDevice
        let launched = Date()
        try sender.run()
        let wait = killAfter - Date().timeIntervalSince(launched)
        if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
        server.kill9()
        trial.killAfter = Date().timeIntervalSince(launched)
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
}
