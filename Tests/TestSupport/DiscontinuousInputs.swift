import Foundation
import XCTest

/// Streams whose clocks jump, made by ffmpeg from two recordings of separate ffmpeg runs
/// (Tests/Fixtures/timeline/part1.ts and part2.ts), and the checks their recordings must pass:
/// ffprobe and ffmpeg accept them silently, decoding times only go forward, and every source
/// frame is there in order (decoded video frames and AAC packets equal the parts').
public enum DiscontinuousInputs {
    public enum Jump: String, CaseIterable, Sendable {
        /// part2 after part1: the clock goes back to 1.4 s (an encoder restart).
        case restart
        /// part2 an hour later (`-output_ts_offset 3600`).
        case gap
        /// part2 with its audio 10 s late (`-itsoffset`), joined by ffmpeg's concat demuxer:
        /// video goes on, audio jumps.
        case oneTrack
        /// part1 with every PES (TS) or tag (FLV) moved by up to +-45 ms (video +-3 ms).
        case jitter
        /// part2 starting 0.3 s before part1 ends (a step back that alone would be jitter),
        /// its first PCR packet carrying discontinuity_indicator: an MPEG-TS splice.
        case indicator
    }

    public static var part1: String { TestPaths.fixture("timeline/part1.ts") }
    public static var part2: String { TestPaths.fixture("timeline/part2.ts") }

    /// The parts whose frames a recording of `jump` holds, in order.
    public static func sources(_ jump: Jump) -> [String] {
        jump == .jitter ? [part1] : [part1, part2]
    }

    /// An MPEG-TS file with `jump`, written into `directory`.
    public static func ts(_ jump: Jump, in directory: String) throws -> String {
        let output = directory + "/\(jump.rawValue).ts"
        switch jump {
        case .restart:
            try concatenate([part1, part2], to: output)
        case .gap:
            let late = directory + "/part2_late.ts"
            try ffmpeg(["-i", part2, "-c", "copy", "-output_ts_offset", "3600", "-f", "mpegts", late])
            try concatenate([part1, late], to: output)
        case .oneTrack:
            let late = directory + "/part2_audio_late.ts"
            try ffmpeg(["-i", part2, "-itsoffset", "10", "-i", part2, "-map", "0:v", "-map", "1:a", "-c", "copy", "-f", "mpegts", late])
            let list = directory + "/concat.txt"
            try "file '\(part1)'\nfile '\(late)'\n".write(toFile: list, atomically: true, encoding: .utf8)
            try ffmpeg(["-f", "concat", "-safe", "0", "-i", list, "-c", "copy", "-f", "mpegts", output])
        case .jitter:
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: part1)))
            jitterPES(&bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: output))
        case .indicator:
            let early = directory + "/part2_early.ts"
            try ffmpeg(["-i", part2, "-c", "copy", "-output_ts_offset", "1.7", "-f", "mpegts", early])
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: early)))
            markFirstPCR(&bytes)
            try Data([UInt8](try Data(contentsOf: URL(fileURLWithPath: part1))) + bytes).write(to: URL(fileURLWithPath: output))
        }
        return output
    }

    /// An FLV file with `jump` (restart, gap or jitter): the parts remuxed by ffmpeg, joined tag
    /// by tag (ffmpeg would mend a clock that goes back), or part1's tags moved.
    public static func flv(_ jump: Jump, in directory: String) throws -> String {
        precondition(jump != .oneTrack && jump != .indicator, "FLV cases: restart, gap, jitter")
        let output = directory + "/\(jump.rawValue).flv"
        let first = directory + "/part1.flv", second = directory + "/part2.flv"
        try ffmpeg(["-i", part1, "-c", "copy", "-f", "flv", first])
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: first)))
        switch jump {
        case .restart, .gap:
            try ffmpeg(["-i", part2, "-c", "copy"] + (jump == .gap ? ["-output_ts_offset", "3600"] : []) + ["-f", "flv", second])
            // The second file's tags (past its 9-byte header and PreviousTagSize0) after the first's.
            bytes += [UInt8](try Data(contentsOf: URL(fileURLWithPath: second))).dropFirst(13)
        case .jitter:
            jitterTags(&bytes)
        case .oneTrack, .indicator:
            break
        }
        try Data(bytes).write(to: URL(fileURLWithPath: output))
        return output
    }

    /// The checks every recording of `jump` passes. `label` names the case in failures.
    public static func assertRecording(_ path: String, holds jump: Jump, _ label: String,
                                       file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertTrue(FileManager.default.fileExists(atPath: path), "\(label): \(path) written", file: file, line: line)
        XCTAssertEqual(try FFmpegCheck.complaints(path), "", "\(label): ffprobe/ffmpeg -v error", file: file, line: line)
        for (stream, times) in try decodingTimes(path) {
            XCTAssertTrue(zip(times, times.dropFirst()).allSatisfy { $0 < $1 },
                          "\(label): stream \(stream) decoding times go forward", file: file, line: line)
        }
        var video: [Substring] = [], audio: [String] = []
        for source in sources(jump) {
            video += try decodedVideo(source)
            audio += try FFmpegCheck.packetHashes(source, stream: "a", bitstreamFilter: "aac_adtstoasc")
        }
        let recordedVideo = try decodedVideo(path)
        XCTAssertEqual(recordedVideo.count, video.count, "\(label): video frames", file: file, line: line)
        XCTAssertTrue(recordedVideo == video, "\(label): decoded video frames equal the parts'", file: file, line: line)
        let recordedAudio = try FFmpegCheck.packetHashes(path, stream: "a", bitstreamFilter: path.hasSuffix(".ts") ? "aac_adtstoasc" : nil)
        XCTAssertEqual(recordedAudio.count, audio.count, "\(label): audio packets", file: file, line: line)
        XCTAssertTrue(recordedAudio == audio, "\(label): AAC packets equal the parts'", file: file, line: line)
    }

    /// Decoded video frame hashes, every frame as decoded (no frame-rate conversion).
    public static func decodedVideo(_ path: String) throws -> [Substring] {
        try FFmpegCheck.frameHashes(path, stream: "v", outputOptions: ["-fps_mode", "passthrough"])
            .map { $0.split(separator: ",").last! }
    }

    /// Decoding times of each stream's packets, in file order, as ffprobe reads them.
    public static func decodingTimes(_ path: String) throws -> [String: [Int64]] {
        let out = try ExternalTool.run("ffprobe", ["-v", "error", "-show_entries", "packet=stream_index,dts", "-of", "csv=p=0", path])
        var times: [String: [Int64]] = [:]
        for line in out.stdout.split(separator: "\n") {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= 2, let dts = Int64(fields[1]) else { continue }
            times[String(fields[0]), default: []].append(dts)
        }
        return times
    }

    private static func ffmpeg(_ arguments: [String]) throws {
        let out = try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-y"] + arguments)
        guard out.status == 0 else { throw NSError(domain: "ffmpeg", code: Int(out.status), userInfo: [NSLocalizedDescriptionKey: out.stderr]) }
    }

    private static func concatenate(_ paths: [String], to output: String) throws {
        var data = Data()
        for path in paths { data += try Data(contentsOf: URL(fileURLWithPath: path)) }
        try data.write(to: URL(fileURLWithPath: output))
    }

    /// Milliseconds of jitter for the n-th timestamp of a track: a fixed pattern within +-45 ms
    /// for audio (steps back happen), +-3 ms for video (a picture's time rounded by the
    /// encoder's clock; more makes ffmpeg's own decode of the source complain).
    static func jitter(_ n: Int, video: Bool) -> Int64 {
        let pattern: [Int64] = [0, 30, -45, 12, -20, 44, -38, 5]
        return video ? pattern[n % 8] / 15 : pattern[n % 8]
    }

    /// Moves the PTS and DTS of every PES start in a TS file by `jitter` (ISO/IEC 13818-1
    /// 2.4.3.7: 33-bit values in 5 bytes with marker bits).
    static func jitterPES(_ bytes: inout [UInt8]) {
        var n = 0
        for packet in stride(from: 0, to: bytes.count - 187, by: 188) where bytes[packet] == 0x47 {
            guard bytes[packet + 1] & 0x40 != 0 else { continue }  // payload_unit_start
            let control = (bytes[packet + 3] >> 4) & 0x03
            guard control & 0x01 != 0 else { continue }
            let start = packet + 4 + (control & 0x02 != 0 ? 1 + Int(bytes[packet + 4]) : 0)
            guard start + 19 <= packet + 188, bytes[start] == 0, bytes[start + 1] == 0, bytes[start + 2] == 1,
                  bytes[start + 3] >= 0xC0, bytes[start + 3] <= 0xEF else { continue }
            let flags = bytes[start + 7] >> 6
            let shift = jitter(n, video: bytes[start + 3] >= 0xE0) * 90
            n += 1
            for (present, offset) in [(flags & 0x02 != 0, 9), (flags == 3, 14)] where present {
                let at = start + offset
                var value = Int64(bytes[at] >> 1 & 0x07) << 30 | Int64(bytes[at + 1]) << 22 | Int64(bytes[at + 2] >> 1) << 15
                    | Int64(bytes[at + 3]) << 7 | Int64(bytes[at + 4] >> 1)
                value = (value + shift) & ((1 << 33) - 1)
                bytes[at] = bytes[at] & 0xF0 | UInt8(value >> 29 & 0x0E) | 1
                bytes[at + 1] = UInt8(value >> 22 & 0xFF)
                bytes[at + 2] = UInt8(value >> 14 & 0xFE) | 1
                bytes[at + 3] = UInt8(value >> 7 & 0xFF)
                bytes[at + 4] = UInt8(value << 1 & 0xFE) | 1
            }
        }
    }

    /// Sets discontinuity_indicator (ISO/IEC 13818-1 2.4.3.5) in the first packet that carries a
    /// PCR, as a splicer does where the time base changes.
    static func markFirstPCR(_ bytes: inout [UInt8]) {
        for packet in stride(from: 0, to: bytes.count - 187, by: 188) where bytes[packet] == 0x47 {
            let control = (bytes[packet + 3] >> 4) & 0x03
            guard control & 0x02 != 0, bytes[packet + 4] > 0, bytes[packet + 5] & 0x10 != 0 else { continue }
            bytes[packet + 5] |= 0x80
            return
        }
    }

    /// Moves the timestamp of every audio and video tag of an FLV file by `jitter` (kept at 0
    /// or above). Tag header (E.4.1): type, DataSize(24), Timestamp(24), TimestampExtended(8).
    static func jitterTags(_ bytes: inout [UInt8]) {
        var offset = 13, n = 0
        while offset + 11 <= bytes.count {
            let size = Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            if bytes[offset] == 8 || bytes[offset] == 9 {
                var time = Int64(bytes[offset + 7]) << 24 | Int64(bytes[offset + 4]) << 16 | Int64(bytes[offset + 5]) << 8 | Int64(bytes[offset + 6])
                time = max(0, time + jitter(n, video: bytes[offset] == 9))
                n += 1
                bytes[offset + 4] = UInt8(time >> 16 & 0xFF)
                bytes[offset + 5] = UInt8(time >> 8 & 0xFF)
                bytes[offset + 6] = UInt8(time & 0xFF)
                bytes[offset + 7] = UInt8(time >> 24 & 0xFF)
            }
            offset += 11 + size + 4
        }
    }
}
