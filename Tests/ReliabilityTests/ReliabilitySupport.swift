import Foundation
import MediaCore
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Shared by the reliability suite: the CI and long forms, seeded randomness, the recorder as
/// a subprocess, and checks of recorded files by ffprobe.
///
/// The CI form runs inside `scripts/test.sh`; `RECORDER_LONG_TESTS=1` (or `RELIABILITY_LONG=1`,
/// as scripts/reliability.sh sets it) runs the long form (`TestForm`). Every test prints its
/// figures on lines starting `RELIABILITY `.
enum Reliability {
    static var isLong: Bool { TestForm.isLong }

    /// The number of trials or mutations for this form.
    static func count(ci: Int, long: Int) -> Int { isLong ? long : ci }

    /// The base seed: `RELIABILITY_SEED` replays a run, otherwise fixed so CI is repeatable.
    static var seed: UInt64 { UInt64(ProcessInfo.processInfo.environment["RELIABILITY_SEED"] ?? "") ?? 20_261_125 }

    static func report(_ line: String) {
        print("RELIABILITY \(line)")
    }
}


/// Runs `body` on a thread of its own and waits at most `seconds` for it: false when it did
/// not finish (a hang; the thread is left behind, the caller fails the test).
func finishes(within seconds: Double, _ body: @escaping @Sendable () -> Void) -> Bool {
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        body()
        done.signal()
    }
    thread.stackSize = 8 << 20
    thread.start()
    return done.wait(timeout: .now() + seconds) == .success
}

enum Probe {
    /// Decode timestamps of every packet of the first stream of `kind` ("v" or "a"), in file order.
    static func packetDTS(_ path: String, stream: String) throws -> [Double] {
        let out = try ExternalTool.run("ffprobe", ["-v", "error", "-select_streams", "\(stream):0", "-show_entries", "packet=dts_time",
                                                   "-of", "csv=p=0", path])
        return out.stdout.split(separator: "\n").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// Indexes where the sequence does not strictly increase.
    static func nonIncreasing(_ values: [Double]) -> [Int] {
        values.indices.dropFirst().filter { values[$0] <= values[$0 - 1] }
    }

    /// MD5 of each decoded video frame, in output order.
    static func videoFrameMD5s(_ path: String) throws -> [String] {
        try FFmpegCheck.frameHashes(path, stream: "v").map { String($0.split(separator: ",").last!).trimmingCharacters(in: .whitespaces) }
    }
}
