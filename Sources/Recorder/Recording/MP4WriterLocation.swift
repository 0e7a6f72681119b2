import Foundation
import MediaCore

/// Where the recorder finds mp4writer when not told: beside its own executable (they ship
/// together). The one lookup for the server (`ServerConfiguration`) and one-shot recordings.
public enum MP4WriterLocation {
    /// The running executable as the kernel knows it (`/proc/self/exe`: symbolic links and a
    /// relative argv[0] resolved), or argv[0] with its links resolved when that cannot be read.
    public static func runningExecutable() -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
    }

    /// mp4writer in the folder of `executablePath`.
    public static func beside(_ executablePath: String) -> String {
        FileSystem.directoryName(executablePath) + "/mp4writer"
    }

    /// mp4writer beside the running executable.
    public static func besideRunningExecutable() -> String { beside(runningExecutable()) }
}
