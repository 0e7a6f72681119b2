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
