import Foundation
import MediaCore
import StagingWriter
import SyntheticMedia

// synthwriter: writes a staging set of SyntheticSource samples, as a process of its own, so
// that tests can kill it mid-write (StagingCrashTests) or make a large set quickly
// (InterruptedFinalizeTests). A test tool: it is not part of the recorder.
//
//   synthwriter --output FILE.mp4 --samples N [--size BYTES] [--pace-us N]

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("synthwriter: \(message)\n".utf8))
    exit(code)
}

var flags: [String: String] = [:]
var arguments = CommandLine.arguments.dropFirst()
while let name = arguments.popFirst() {
    guard name.hasPrefix("--"), let value = arguments.popFirst() else {
        fail("usage: synthwriter --output FILE.mp4 --samples N [--size BYTES] [--pace-us N]", code: 2)
    }
    flags[String(name.dropFirst(2))] = value
}
guard let output = flags["output"], let count = Int(flags["samples"] ?? "") else {
    fail("usage: synthwriter --output FILE.mp4 --samples N [--size BYTES] [--pace-us N]", code: 2)
}
let source = SyntheticSource(sampleCount: count, averageSize: Int(flags["size"] ?? "") ?? 200)
// A pause after each sample, so that a kill lands mid-stream rather than after the end.
let pace = UInt32(flags["pace-us"] ?? "") ?? 0
do {
    let start = ContinuousClock.now
    let writer = try StagingWriter(output: output)
    try writer.addTrack(SyntheticSource.trackDescription)
    for index in 0..<count {
        try writer.append(source.frame(index))
        if pace > 0 { usleep(pace) }
    }
    try writer.close()
    let seconds = (ContinuousClock.now - start) / .seconds(1)
    print("wrote \(count) samples (\(writer.mdatByteCount) payload bytes) in \(String(format: "%.3f", seconds)) s")
} catch {
    fail("\(error)", code: 1)
}
