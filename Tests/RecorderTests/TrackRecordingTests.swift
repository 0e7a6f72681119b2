import Containers
import Foundation
import MediaCore
import Recorder
import TestSupport
import XCTest

/// Every track a source carries, and clear refusals: a TS with two audio languages keeps both
/// in MP4 (two trak) and TS (two PIDs) and the first in FLV (said once); a track whose codec
/// cannot be recorded is named once and the rest recorded; a stream with nothing recordable is
/// an error that says why, in the one-shot recorder and in the server's events.
final class TrackRecordingTests: XCTestCase {
    private func record(_ input: String, type: String) throws -> (OneShotRecording.Outcome, String) {
        let dir = TestPaths.temporaryDirectory("tracks")
        let parameters = try RecordParameters(pairs: [("localStreamName", "s"), ("pathToFile", dir + "/out"), ("type", type)])
        var recording = OneShotRecording(parameters: parameters, resolvedPath: dir + "/out", input: .file(input))
        recording.mp4writerPath = TestPaths.executable("mp4writer")
        return (try recording.run(), dir + "/out.\(type)")
    }

    private func ffmpeg(_ arguments: [String]) throws {
        let out = try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-y"] + arguments)
        XCTAssertEqual(out.status, 0, out.stderr)
    }

    /// MD5 of each AAC packet of the `n`-th audio stream.
    private func audioPackets(_ path: String, _ n: Int) throws -> [String] {
        var args = ["-nostdin", "-v", "error", "-i", path, "-map", "0:a:\(n)", "-c", "copy"]
        if path.hasSuffix(".ts") { args += ["-bsf:a", "aac_adtstoasc"] }
        let out = try ExternalTool.run("ffmpeg", args + ["-f", "framemd5", "-"])
        XCTAssertEqual(out.status, 0, out.stderr)
        return out.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { String($0.split(separator: ",")[5]).trimmingCharacters(in: .whitespaces) }
    }

    /// A TS made by ffmpeg with one video and two AAC tracks (eng 440 Hz, fra 880 Hz).
    private func twoLanguages() throws -> String {
        let path = TestPaths.temporaryDirectory("two-languages") + "/two.ts"
        try ffmpeg(["-i", DiscontinuousInputs.part1, "-i", DiscontinuousInputs.part2, "-map", "0:v", "-map", "0:a", "-map", "1:a",
                    "-c", "copy", "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fra", "-f", "mpegts", path])
        return path
    }

    func testTwoAudioLanguagesAreBothRecordedWhereTheContainerHoldsThem() throws {
        try FFmpegCheck.require()
        let source = try twoLanguages()
        let first = try audioPackets(source, 0), second = try audioPackets(source, 1)
        XCTAssertNotEqual(first, second)
        for type in ["mp4", "ts", "flv"] {
            let (outcome, output) = try record(source, type: type)
            XCTAssertEqual(outcome.errors, [], type)
            XCTAssertEqual(try FFmpegCheck.complaints(output), "", type)
            let kinds = try FFmpegCheck.streams(output).map(\.kind)
            XCTAssertEqual(try DiscontinuousInputs.decodedVideo(output), try DiscontinuousInputs.decodedVideo(source), type)
            XCTAssertEqual(try audioPackets(output, 0), first, "\(type): the first language")
            if type == "flv" {
                XCTAssertEqual(kinds, ["video", "audio"], "FLV holds one audio track")
                XCTAssertEqual(outcome.notRecorded.map(\.description), ["track 3 (aac): FLV holds one audio track; track 2 is recorded"])
            } else {
                XCTAssertEqual(kinds, ["video", "audio", "audio"], type)
                XCTAssertEqual(try audioPackets(output, 1), second, "\(type): the second language")
                XCTAssertEqual(outcome.notRecorded, [], type)
                XCTAssertEqual(outcome.droppedFrames, 0, type)
            }
        }
    }

    /// MPEG-2 video and MP2 audio, as ffmpeg makes them: nothing recordable. The one-shot
    /// recorder names each track once, writes nothing, and exits 1 saying why.
    func testAStreamWithNothingRecordableIsAnErrorThatSaysWhy() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("mpeg2")
        let source = dir + "/mpeg2_mp2.ts"
        try ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                    "-t", "2", "-c:v", "mpeg2video", "-c:a", "mp2", "-f", "mpegts", source])
        let (outcome, output) = try record(source, type: "mp4")
        XCTAssertFalse(FileSystem.exists(output))
        XCTAssertEqual(outcome.notRecorded.map(\.description), [
            "PID 0x100: stream_type 0x02 (MPEG-2 video) cannot be recorded",
            "PID 0x101: MPEG audio frame header: layer 2 (mp2) cannot be recorded",
        ])
        XCTAssertEqual(outcome.inputProblems, [], "said once as refusals, not per packet")
        XCTAssertEqual(outcome.errors.count, 1)
        XCTAssertTrue(outcome.errors.first?.contains("nothing recordable: PID 0x100: stream_type 0x02 (MPEG-2 video)") == true, "\(outcome.errors)")

        let run = try ExternalTool.run(TestPaths.executable("recorder"), ["record", "--input", source, "localStreamName=s",
                                                                          "pathToFile=\(dir)/cli", "type=mp4"])
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssertTrue(run.stderr.contains("nothing recordable"), run.stderr)
        XCTAssertEqual(run.stdout.components(separatedBy: "not recorded: ").count - 1, 2, run.stdout)
    }

    /// H.264 with MP2 audio: the video is recorded, the audio named once.
    func testTheRestOfTheStreamIsRecorded() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("h264-mp2")
        let source = dir + "/h264_mp2.ts"
        try ffmpeg(["-i", DiscontinuousInputs.part1, "-map", "0:v", "-map", "0:a", "-c:v", "copy", "-c:a", "mp2", "-f", "mpegts", source])
        for type in ["mp4", "flv", "ts"] {
            let (outcome, output) = try record(source, type: type)
            XCTAssertEqual(outcome.errors, [], type)
            XCTAssertEqual(outcome.inputProblems, [], type)
            XCTAssertEqual(outcome.notRecorded.map(\.description), ["PID 0x101: MPEG audio frame header: layer 2 (mp2) cannot be recorded"], type)
            XCTAssertEqual(try FFmpegCheck.complaints(output), "", type)
            XCTAssertEqual(try FFmpegCheck.streams(output).map(\.kind), ["video"], type)
            XCTAssertEqual(try DiscontinuousInputs.decodedVideo(output), try DiscontinuousInputs.decodedVideo(source), type)
        }
    }

    /// The server: one trackNotRecorded event per refused stream, a recordChunkError that
    /// says why nothing was written, and listStreams naming the refused streams.
    func testTheServerSaysOnceWhatItCannotRecord() throws {
        try FFmpegCheck.require()
        let dir = TestPaths.temporaryDirectory("engine-refusal")
        let source = dir + "/mpeg2_mp2.ts"
        try ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                    "-t", "2", "-c:v", "mpeg2video", "-c:a", "mp2", "-f", "mpegts", source])
        let lines = EventLines()
        let engine = RecorderEngine(options: .init(mp4writerPath: TestPaths.executable("mp4writer")), store: nil, log: { lines.append($0) })
        defer { engine.shutdown() }
        _ = try engine.record(RecordParameters(localStreamName: "cam", pathToFile: dir + "/cam"))
        try engine.streamStarted("cam", source: "udp-ts")
        var reader = TSReader()
        reader.push([UInt8](try Data(contentsOf: URL(fileURLWithPath: source))))
        reader.finish()
        while true {
            do {
                guard let event = try reader.next() else { break }
                engine.streamEvent("cam", event)
            } catch {
                XCTFail("\(error)")
            }
        }
        let streams = engine.listStreams()
        XCTAssertEqual(streams.first?.notRecorded.count, 2, "\(streams)")
        engine.streamEnded("cam")
        let refusals = lines.all.filter { $0.contains(#""event":"trackNotRecorded""#) }
        XCTAssertEqual(refusals.count, 2, "\(refusals)")
        let errors = lines.all.filter { $0.contains(#""event":"recordChunkError""#) }
        XCTAssertEqual(errors.count, 1, "\(lines.all)")
        XCTAssertTrue(errors.first?.contains("nothing recordable") == true, "\(errors)")
    }
}

/// Log lines gathered from the engine's threads.
final class EventLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
