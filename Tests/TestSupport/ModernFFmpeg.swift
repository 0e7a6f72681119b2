import Foundation
import XCTest

/// The static ffmpeg 9 that `pip install imageio-ffmpeg` ships (.ci/run installs it): a second
/// validator beside Debian's ffmpeg 5.1, with newer demuxers (and no ffprobe).
public enum ModernFFmpeg {
    /// Its path, asked of the Python package once; nil when it is not installed.
    public static let path: String? = {
        guard let python = ExternalTool.find("python3"),
              let out = try? ExternalTool.run(python, ["-c", "import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())"]),
              out.status == 0 else { return nil }
        let path = out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()

    /// The path, or a skip with a visible message (a failure under CI=true).
    public static func require(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        if let path { return path }
        let message = "ffmpeg 9 (pip install imageio-ffmpeg) not found: the second validator is missing"
        if ExternalTool.isCI {
            XCTFail(message, file: file, line: line)
            throw XCTSkip("failed: " + message)
        }
        print("SKIPPING interop check: " + message)
        throw XCTSkip(message)
    }
}

extension ModernFFmpeg {
    /// ffmpeg 9's decode of the first stream of `kind` ("v" or "a") of `path`: the hash column
    /// of its framemd5, and what it printed at `-v error` (empty: decoded silently).
    public static func decodedHashes(_ path: String, stream kind: String, ffmpeg: String) throws -> (hashes: [Substring], complaints: String) {
        let out = try ExternalTool.run(ffmpeg, ["-nostdin", "-v", "error", "-i", path, "-map", "0:\(kind):0", "-f", "framemd5", "-"])
        let complaints = out.stderr + (out.status == 0 ? "" : "ffmpeg 9 exited \(out.status)\n")
        return (out.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: ",").last! }, complaints)
    }
}

extension ModernFFmpeg {
    /// MD5 of each coded packet of the first stream of `kind` in `path`, as `ffmpeg` (either
    /// one) reads it without decoding: what a recording must keep byte for byte.
    public static func packetHashes(_ path: String, stream kind: String, ffmpeg: String) throws -> [String] {
        let out = try ExternalTool.run(ffmpeg, ["-nostdin", "-v", "error", "-i", path, "-map", "0:\(kind):0", "-c", "copy", "-f", "framemd5", "-"])
        // Column 6 is the hash; side data (S=...) may follow it on some lines.
        return out.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { String($0.split(separator: ",")[5]).trimmingCharacters(in: .whitespaces) }
    }
}
