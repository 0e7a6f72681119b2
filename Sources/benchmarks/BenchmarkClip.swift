import Foundation

/// A clip of real encoded media for the ingest and finalize benchmarks: ffmpeg's test pattern
/// and a sine tone, H.264 (ultrafast, constant-ish bitrate, a keyframe every 2 s) + AAC, made
/// once with the command it prints.
struct BenchmarkClip {
    var width = 1280
    var height = 720
    var videoKbps = 8000
    var audioKbps = 128
    var seconds = 60
    static let frameRate = 25
    /// A keyframe every 2 s.
    static let keyframeInterval = 50

    /// The faststart and RTMP benchmarks' clip: 60 s of 8 Mbps H.264 720p25 + AAC 128 kb/s.
    static let eightMbps = BenchmarkClip()

    /// `path` when it exists already, else encoded there.
    func make(at path: String) throws -> String {
        if FileManager.default.fileExists(atPath: path) { return path }
        let args = ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=\(width)x\(height):rate=\(Self.frameRate)", "-f", "lavfi",
                    "-i", "sine=frequency=440:sample_rate=48000", "-t", "\(seconds)", "-c:v", "libx264", "-preset", "ultrafast",
                    "-b:v", "\(videoKbps)k", "-maxrate", "\(videoKbps)k", "-bufsize", "\(2 * videoKbps)k", "-g", "\(Self.keyframeInterval)",
                    "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "\(audioKbps)k", path]
        print("encoding the clip: ffmpeg \(args.joined(separator: " "))")
        guard try ChildProcess.run(RTMPBenchmark.ffmpeg, args, quiet: false).status == 0 else { throw BenchError("ffmpeg failed") }
        return path
    }

    /// The sum of the clip's packet sizes, audio and video: the media a publisher sends.
    static func mediaBytes(of clip: String, scratch: String) throws -> Int {
        let listing = scratch + "/packets.csv"
        let m = try ChildProcess.run("/usr/bin/ffprobe", ["-v", "error", "-show_entries", "packet=size", "-of", "csv=p=0", clip],
                                     stdoutPath: listing)
        guard m.status == 0 else { throw BenchError("ffprobe failed on \(clip)") }
        let text = try String(contentsOfFile: listing, encoding: .utf8)
        return text.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.reduce(0, +)
    }
}
