import Foundation
import XCTest

/// Checks of a media file by programs nobody here wrote: ffprobe and ffmpeg.
///
/// `require()` skips the calling test with a visible message when the tools are missing, except
/// under CI=true, where it fails: the interop suite must run in CI.
public enum FFmpegCheck {
    public struct StreamInfo: Equatable, Sendable {
        public var codec: String
        public var kind: String
        public var startTime: Double
        public var duration: Double
        public var frames: Int
        public var timeBase: String
    }

    public static func require(file: StaticString = #filePath, line: UInt = #line) throws {
        if ExternalTool.find("ffmpeg") != nil && ExternalTool.find("ffprobe") != nil { return }
        let message = "ffmpeg/ffprobe not found on PATH: interop checks need them (apt-get install ffmpeg)"
        if ExternalTool.isCI {
            XCTFail(message, file: file, line: line)
            throw XCTSkip("failed: " + message)
        }
        print("SKIPPING interop check: " + message)
        throw XCTSkip(message)
    }

    /// Everything ffprobe and a full ffmpeg decode print at `-v error`: empty means the file
    /// is accepted silently.
    public static func complaints(_ path: String) throws -> String {
        let probe = try ExternalTool.run("ffprobe", ["-v", "error", "-show_format", "-show_streams", path])
        let decode = try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-f", "null", "-"])
        var text = probe.stderr + decode.stderr
        if probe.status != 0 { text += "ffprobe exited \(probe.status)\n" }
        if decode.status != 0 { text += "ffmpeg exited \(decode.status)\n" }
        return text
    }

    /// Decoded frame hashes of the first stream of `kind` ("v" or "a"), without the header
    /// comment lines: one line per frame with stream, dts, pts, duration, size and MD5.
    public static func frameHashes(_ path: String, stream: String, outputOptions: [String] = []) throws -> [String] {
        let out = try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-map", "0:\(stream):0"] + outputOptions + ["-f", "framemd5", "-"])
        guard out.status == 0 else { throw NSError(domain: "ffmpeg", code: Int(out.status), userInfo: [NSLocalizedDescriptionKey: out.stderr]) }
        return out.stdout.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
    }

    public static func streams(_ path: String) throws -> [StreamInfo] {
        let out = try ExternalTool.run("ffprobe", ["-v", "error", "-show_entries",
                                                   "stream=codec_name,codec_type,start_time,duration,nb_frames,time_base",
                                                   "-of", "json", path])
        guard let json = try JSONSerialization.jsonObject(with: out.stdoutData) as? [String: Any],
              let streams = json["streams"] as? [[String: Any]] else { return [] }
        return streams.map { s in
            StreamInfo(codec: s["codec_name"] as? String ?? "", kind: s["codec_type"] as? String ?? "",
                       startTime: Double(s["start_time"] as? String ?? "") ?? .nan,
                       duration: Double(s["duration"] as? String ?? "") ?? .nan,
                       frames: Int(s["nb_frames"] as? String ?? "") ?? -1,
                       timeBase: s["time_base"] as? String ?? "")
        }
    }

    /// Byte positions ffprobe reports for the packets of the first stream of `kind`.
    public static func packetPositions(_ path: String, stream: String) throws -> [Int64] {
        let out = try ExternalTool.run("ffprobe", ["-v", "error", "-select_streams", "\(stream):0", "-show_entries", "packet=pos",
                                                   "-of", "csv=p=0", path])
        return out.stdout.split(separator: "\n").compactMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// Asserts that `output` decodes to the same frames as `source`, per stream, and that
    /// start time, duration and frame count agree within one frame.
    public static func assertSameMedia(_ output: String, as source: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let sourceStreams = try streams(source)
        let outputStreams = try streams(output)
        XCTAssertEqual(outputStreams.map(\.codec), sourceStreams.map(\.codec), "codecs of \(output)", file: file, line: line)
        for (s, o) in zip(sourceStreams, outputStreams) {
            let frame = s.frames > 0 ? s.duration / Double(s.frames) : 0.05  // one frame of this stream
            XCTAssertEqual(o.startTime, s.startTime, accuracy: frame, "\(s.kind) start_time of \(output)", file: file, line: line)
            XCTAssertEqual(o.duration, s.duration, accuracy: frame, "\(s.kind) duration of \(output)", file: file, line: line)
            XCTAssertEqual(Double(o.frames), Double(s.frames), accuracy: 1, "\(s.kind) frames of \(output)", file: file, line: line)
            let kind = s.kind == "video" ? "v" : "a"
            let expected = try frameHashes(source, stream: kind)
            let actual = try frameHashes(output, stream: kind)
            XCTAssertFalse(expected.isEmpty, "no decoded \(s.kind) frames in \(source)", file: file, line: line)
            XCTAssertEqual(actual, expected, "decoded \(s.kind) frames of \(output) differ from \(source)", file: file, line: line)
        }
    }
}

extension FFmpegCheck {
    /// MD5 of each packet of the first stream of `kind`, as stored (no decoding), with
    /// `bitstreamFilter` applied first (e.g. aac_adtstoasc so that MPEG-TS and MP4 packets
    /// compare). Compares recordings where decoding cannot: an AAC decoder restarted at a file
    /// boundary outputs different samples for a while although the packets are the same.
    /// `ffmpeg` may name another build (ModernFFmpeg.path).
    public static func packetHashes(_ path: String, stream: String, bitstreamFilter: String? = nil,
                                    ffmpeg: String = "ffmpeg") throws -> [String] {
        var args = ["-nostdin", "-v", "error", "-i", path, "-map", "0:\(stream):0", "-c", "copy"]
        if let bitstreamFilter { args += ["-bsf:\(stream)", bitstreamFilter] }
        let out = try ExternalTool.run(ffmpeg, args + ["-f", "framemd5", "-"])
        guard out.status == 0 else { throw NSError(domain: "ffmpeg", code: Int(out.status), userInfo: [NSLocalizedDescriptionKey: out.stderr]) }
        // Column 6 is the hash; side data (S=...) may follow it on some lines.
        return out.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { String($0.split(separator: ",")[5]).trimmingCharacters(in: .whitespaces) }
    }
}

extension FFmpegCheck {
    /// One MD5 of all the samples the first stream of `kind` decodes to (s16, interleaved),
    /// and what `ffmpeg` printed at `-v error` while decoding: the same audio, whatever the
    /// packetization and container, gives the same hash.
    public static func decodedAudioHash(_ path: String, ffmpeg: String = "ffmpeg") throws -> (hash: String, complaints: String) {
        let out = try ExternalTool.run(ffmpeg, ["-nostdin", "-v", "error", "-i", path, "-map", "0:a:0",
                                                "-c:a", "pcm_s16le", "-f", "md5", "-"])
        guard out.status == 0 else { throw NSError(domain: "ffmpeg", code: Int(out.status), userInfo: [NSLocalizedDescriptionKey: out.stderr]) }
        return (out.stdout.trimmingCharacters(in: .whitespacesAndNewlines), out.stderr)
    }
}
