import Foundation
import XCTest

/// Small sources for the audio codec interop tests, made at test time by Debian's ffmpeg:
/// 2 s of 160x120 H.264 (a keyframe every second) with a 440 Hz tone in the codec asked for.
public enum AudioCodecFixtures {
    public struct Codec: Sendable, CustomStringConvertible {
        /// ffprobe's codec_name.
        public let name: String
        let encoder: [String]
        public let sampleRate: Int
        public let channels: Int
        /// The containers ffmpeg (and this project) can carry it in.
        public let carriedByFLV: Bool
        public let carriedByTS: Bool
        /// ffmpeg's mp4 muxer refuses G.711 (it writes it only to .mov), so no MP4 source of it.
        public var madeAsMP4: Bool { !name.hasPrefix("pcm_") }
        /// Legacy FLV has no SoundFormat for it: FLV output writes it in the Enhanced RTMP
        /// FourCC form, which ffmpeg reads from 6.1 on (ffmpeg 9 here), not 5.1.
        public var writtenToFLVEnhanced: Bool { !carriedByFLV }
        public var description: String { name }
    }

    public static let mp3 = Codec(name: "mp3", encoder: ["-c:a", "libmp3lame", "-b:a", "64k"], sampleRate: 44100, channels: 2,
                                  carriedByFLV: true, carriedByTS: true)
    public static let ac3 = Codec(name: "ac3", encoder: ["-c:a", "ac3", "-b:a", "96k"], sampleRate: 48000, channels: 2,
                                  carriedByFLV: false, carriedByTS: true)
    public static let eac3 = Codec(name: "eac3", encoder: ["-c:a", "eac3", "-b:a", "96k"], sampleRate: 48000, channels: 2,
                                   carriedByFLV: false, carriedByTS: true)
    public static let opus = Codec(name: "opus", encoder: ["-c:a", "libopus", "-b:a", "64k"], sampleRate: 48000, channels: 2,
                                   carriedByFLV: false, carriedByTS: true)
    public static let mulaw = Codec(name: "pcm_mulaw", encoder: ["-c:a", "pcm_mulaw"], sampleRate: 8000, channels: 1,
                                    carriedByFLV: true, carriedByTS: false)
    public static let alaw = Codec(name: "pcm_alaw", encoder: ["-c:a", "pcm_alaw"], sampleRate: 8000, channels: 1,
                                   carriedByFLV: true, carriedByTS: false)
    public static let all = [mp3, ac3, eac3, opus, mulaw, alaw]

    private static let folder = TestPaths.temporaryDirectory("audio-codec-fixtures")
    nonisolated(unsafe) private static var made: [String: String] = [:]
    private static let lock = NSLock()

    /// `codec` in `container` ("flv", "ts", "mp4", or "ts-dvb": AC-3/E-AC-3 in DVB's private-data form).
    public static func source(_ codec: Codec, container: String) throws -> String {
        let key = "\(codec.name).\(container)"
        if let path = lock.withLock({ made[key] }) { return path }
        let path = folder + "/h264_\(codec.name)_\(container).\(container == "ts-dvb" ? "ts" : container)"
        var arguments = ["-nostdin", "-v", "error", "-y",
                         "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=2",
                         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=\(codec.sampleRate):duration=2",
                         "-c:v", "libx264", "-g", "25", "-pix_fmt", "yuv420p", "-ac", "\(codec.channels)"] + codec.encoder
        if container == "ts-dvb" { arguments += ["-mpegts_flags", "system_b"] }
        let out = try ExternalTool.run("ffmpeg", arguments + [path])
        guard out.status == 0 else {
            throw NSError(domain: "ffmpeg", code: Int(out.status), userInfo: [NSLocalizedDescriptionKey: "making \(key): \(out.stderr)"])
        }
        lock.withLock { made[key] = path }
        return path
    }
}

extension FFmpegCheck {
    /// The audio of `output` is `source`'s: ffprobe reports the codec, rate and channels
    /// expected, both ffmpegs (Debian 5.1 and 9) read it without a word at `-v error` and
    /// find the same packets (MD5 of each) as in the source. The video decodes to the
    /// source's frames.
    public static func assertSameAudio(_ output: String, as source: String, codec: AudioCodecFixtures.Codec,
                                       modernFFmpeg: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        if output.hasSuffix(".flv") && codec.writtenToFLVEnhanced {
            return try assertSameEnhancedFLVAudio(output, as: source, modernFFmpeg: modernFFmpeg, message, file: file, line: line)
        }
        XCTAssertEqual(try complaints(output), "", message, file: file, line: line)
        let decode9 = try ExternalTool.run(modernFFmpeg, ["-nostdin", "-v", "error", "-i", output, "-f", "null", "-"])
        XCTAssertEqual(decode9.stderr, "", "ffmpeg 9: " + message, file: file, line: line)
        XCTAssertEqual(decode9.status, 0, "ffmpeg 9: " + message, file: file, line: line)
        let probe = try ExternalTool.run("ffprobe", ["-v", "error", "-select_streams", "a", "-show_entries",
                                                     "stream=codec_name,sample_rate,channels", "-of", "csv=p=0", output])
        let fields = probe.stdout.split(separator: "\n").first.map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(3) }
        XCTAssertEqual(fields?.joined(separator: ","), "\(codec.name),\(codec.sampleRate),\(codec.channels)", message, file: file, line: line)
        for ffmpeg in ["ffmpeg", modernFFmpeg] {
            let expected = try packetHashes(source, stream: "a", ffmpeg: ffmpeg)
            XCTAssertGreaterThan(expected.count, 10, message, file: file, line: line)
            XCTAssertEqual(try packetHashes(output, stream: "a", ffmpeg: ffmpeg), expected,
                           "audio packets read by \(ffmpeg == "ffmpeg" ? "ffmpeg 5.1" : "ffmpeg 9"): " + message, file: file, line: line)
        }
        let video = try frameHashes(source, stream: "v").map { $0.split(separator: ",").last! }
        XCTAssertEqual(try frameHashes(output, stream: "v").map { $0.split(separator: ",").last! }, video,
                       "decoded video: " + message, file: file, line: line)
    }

    /// Enhanced FLV audio (Opus, AC-3, E-AC-3 by FourCC) is read by ffmpeg 9 only: it reads the
    /// file without a word, finds the source's audio packets, and decodes the source's video.
    private static func assertSameEnhancedFLVAudio(_ output: String, as source: String, modernFFmpeg: String, _ message: String,
                                                   file: StaticString, line: UInt) throws {
        let decode9 = try ExternalTool.run(modernFFmpeg, ["-nostdin", "-v", "error", "-i", output, "-f", "null", "-"])
        XCTAssertEqual(decode9.stderr, "", "ffmpeg 9: " + message, file: file, line: line)
        XCTAssertEqual(decode9.status, 0, "ffmpeg 9: " + message, file: file, line: line)
        let expected = try packetHashes(source, stream: "a", ffmpeg: modernFFmpeg)
        XCTAssertGreaterThan(expected.count, 10, message, file: file, line: line)
        XCTAssertEqual(try packetHashes(output, stream: "a", ffmpeg: modernFFmpeg), expected,
                       "audio packets read by ffmpeg 9: " + message, file: file, line: line)
        // Decoded, not packets: FLV holds H.264 length-prefixed where a TS source has Annex B.
        func decodedVideo(_ path: String) throws -> [Substring] {
            let out = try ExternalTool.run(modernFFmpeg, ["-nostdin", "-v", "error", "-i", path, "-map", "0:v:0", "-f", "framemd5", "-"])
            return out.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: ",").last! }
        }
        let video = try decodedVideo(source)
        XCTAssertGreaterThan(video.count, 10, message, file: file, line: line)
        XCTAssertEqual(try decodedVideo(output), video, "video decoded by ffmpeg 9: " + message, file: file, line: line)
    }
}
