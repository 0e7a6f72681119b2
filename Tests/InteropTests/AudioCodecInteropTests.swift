import Foundation
import XCTest
import MediaCore
import Recorder
import TestSupport

/// MP3, AC-3, E-AC-3, Opus and G.711 from every file (FLV, TS, MP4) and UDP input that carries them, recorded
/// to every output type: where the output can carry the codec, ffprobe and both ffmpegs find
/// the source's audio packets (Opus/AC-3/E-AC-3 in enhanced FLV: ffmpeg 9 only, as 5.1 cannot
/// read that form); where it cannot, the track is named as not recorded and the video is
/// recorded (docs/recording.md has the table). RTMP publishing: RTMPTests/AudioCodecIngestTests.
final class AudioCodecInteropTests: XCTestCase {
    typealias Fixtures = AudioCodecFixtures

    /// Records `input` to `type`; the path written, or the refusal's text.
    private func record(_ input: StreamInput, type: String, onListening: @escaping (UInt16) -> Void = { _ in })
        -> (output: String, refusal: String?) {
        let dir = TestPaths.temporaryDirectory("audio-interop")
        do {
            let parameters = try RecordParameters(pairs: [("localStreamName", "s"), ("pathToFile", dir + "/out"), ("type", type)])
            var recording = OneShotRecording(parameters: parameters, resolvedPath: dir + "/out", input: input)
            recording.mp4writerPath = TestPaths.executable("mp4writer")
            recording.silence = 1.5
            recording.onListening = onListening
            let outcome = try recording.run()
            let problems = outcome.errors + outcome.notRecorded.map(\.description)
            return (dir + "/out.\(type)", problems.isEmpty ? nil : problems.joined(separator: "; "))
        } catch {
            return (dir + "/out.\(type)", "\(error)")
        }
    }

    private func carries(_ type: String, _ codec: Fixtures.Codec) -> Bool {
        type == "mp4" || (type == "flv" && (codec.carriedByFLV || codec.writtenToFLVEnhanced)) || (type == "ts" && codec.carriedByTS)
    }

    private func check(_ source: String, _ codec: Fixtures.Codec, type: String, recorded: (output: String, refusal: String?),
                       modern: String, _ label: String) throws {
        if carries(type, codec) {
            XCTAssertNil(recorded.refusal, label)
            try FFmpegCheck.assertSameAudio(recorded.output, as: source, codec: codec, modernFFmpeg: modern, label)
        } else {
            // The audio track is named once as not recorded; the video is recorded all the same.
            let refusal = try XCTUnwrap(recorded.refusal, "\(label): should be refused")
            XCTAssertTrue(refusal.contains(codec.name), "\(label): the refusal names the codec: \(refusal)")
            XCTAssertEqual(try FFmpegCheck.complaints(recorded.output), "", label)
            XCTAssertEqual(try FFmpegCheck.frameHashes(recorded.output, stream: "v").map { $0.split(separator: ",").last! },
                           try FFmpegCheck.frameHashes(source, stream: "v").map { $0.split(separator: ",").last! },
                           "\(label): the video is recorded")
        }
    }

    func testFilesToEveryOutputType() throws {
        try FFmpegCheck.require()
        let modern = try ModernFFmpeg.require()
        var inputs: [(Fixtures.Codec, String)] = []
        for codec in Fixtures.all {
            if codec.carriedByFLV { inputs.append((codec, "flv")) }
            if codec.carriedByTS { inputs.append((codec, "ts")) }
            if codec.madeAsMP4 { inputs.append((codec, "mp4")) }
        }
        inputs += [(Fixtures.ac3, "ts-dvb"), (Fixtures.eac3, "ts-dvb")]
        for (codec, container) in inputs {
            let source = try Fixtures.source(codec, container: container)
            for type in ["mp4", "flv", "ts"] {
                try check(source, codec, type: type, recorded: record(.file(source), type: type), modern: modern,
                          "\(codec) in \(container) -> \(type)")
            }
        }
    }

    /// ffmpeg sends the TS in real time over UDP; every packet arrives on loopback. One send
    /// (ffmpeg's tee muxer) feeds a recording per output type at once: the same cases as a send
    /// per type, checked the same way, in a third of the real time.
    func testTSOverUDP() throws {
        try FFmpegCheck.require()
        let modern = try ModernFFmpeg.require()
        let types = ["mp4", "flv", "ts"]
        nonisolated(unsafe) let test = self
        for codec in Fixtures.all where codec.carriedByTS {
            let source = try Fixtures.source(codec, container: "ts")
            let lock = NSLock()
            nonisolated(unsafe) var ports: [String: UInt16] = [:]
            nonisolated(unsafe) var results: [String: (output: String, refusal: String?)] = [:]
            let listening = DispatchGroup(), finished = DispatchGroup()
            for type in types {
                listening.enter()
                finished.enter()
                Thread.detachNewThread {
                    let recorded = test.record(.udp(host: "127.0.0.1", port: 0), type: type) { port in
                        lock.withLock { ports[type] = port }
                        listening.leave()
                    }
                    lock.withLock { results[type] = recorded }
                    finished.leave()
                }
            }
            guard listening.wait(timeout: .now() + 20) == .success else {
                return XCTFail("\(codec): not every recording listened: \(lock.withLock { results })")
            }
            let listened = lock.withLock { ports }
            let targets = types.map { "[f=mpegts]udp://127.0.0.1:\(listened[$0]!)?pkt_size=1316" }
            let sent = try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-re", "-i", source, "-map", "0", "-c", "copy",
                                                       "-f", "tee", targets.joined(separator: "|")])
            XCTAssertEqual(sent.status, 0, sent.stderr)
            XCTAssertEqual(finished.wait(timeout: .now() + 60), .success, "\(codec): a recording did not end")
            for type in types {
                let recorded = try XCTUnwrap(lock.withLock { results[type] }, "\(codec) -> \(type): no result")
                try check(source, codec, type: type, recorded: recorded, modern: modern, "\(codec) in TS over UDP -> \(type)")
            }
        }
    }
}
