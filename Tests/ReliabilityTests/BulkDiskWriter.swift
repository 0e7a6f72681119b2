import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Another process writing in bulk to the file system under test, for as long as it runs:
/// `dd` writes `roundMiB` MiB of zeros with `conv=fdatasync` to one file in `directory`,
/// round after round (the file is rewritten each round, so the space used stays bounded).
/// The load the crash trials run under: the disk queue full of someone else's writeback and
/// syncs, as on a server that records while it copies or finalizes other files.
final class BulkDiskWriter {
    private let shell = Process()
    private let roundsFile: String
    private let started = Date()
    let roundMiB: Int

    init(directory: String, roundMiB: Int) throws {
        self.roundMiB = roundMiB
        roundsFile = directory + "/rounds"
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The trap stops the dd of the round in progress too (a TERM to the shell alone would
        // leave it writing); `wait` returns early on the signal so the trap runs at once. The
        // loop also ends after its round when the test process is gone (killed mid-run).
        shell.arguments = ["-c", """
            trap 'kill $pid 2>/dev/null; exit 0' TERM
            while kill -0 "$2" 2>/dev/null; do
                dd if=/dev/zero of="$0/bulk" bs=1M count="$1" conv=fdatasync 2>/dev/null & pid=$!
                wait $pid && echo >> "$0/rounds"
            done
            """, directory, "\(roundMiB)", "\(getpid())"]
        shell.standardInput = FileHandle.nullDevice
        shell.standardOutput = FileHandle.nullDevice
        try shell.run()
    }

    /// Stops the writer; returns the MiB it wrote in whole rounds and the seconds it ran.
    @discardableResult
    func stop() -> (mebibytes: Int, seconds: Double) {
        shell.terminate()
        shell.waitUntilExit()
        let rounds = ((try? String(contentsOfFile: roundsFile, encoding: .utf8)) ?? "").filter { $0 == "\n" }.count
        return (rounds * roundMiB, Date().timeIntervalSince(started))
    }

    deinit {
        if shell.isRunning { stop() }
    }
}
