import XCTest
import Foundation
import MediaCore
import StagingWriter
import SyntheticMedia
import TestSupport

/// A process writing a set is killed with SIGKILL at random moments; what it leaves must read
/// back as a clean prefix: every accepted record points at the intact bytes of that sample.
final class StagingCrashTests: XCTestCase {
    func testSIGKILLLeavesACleanPrefix() throws {
        let synthwriter = TestPaths.executable("synthwriter")
        var generator = SystemRandomNumberGenerator()
        let trials = 20
        var keptCounts: [Int] = []
        for trial in 0..<trials {
            let output = TestPaths.temporaryDirectory("crash\(trial)") + "/rec.mp4"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: synthwriter)
            process.arguments = ["--output", output, "--samples", "1000000", "--size", "400", "--pace-us", "20"]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 30_000...400_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationReason, .uncaughtSignal, "trial \(trial): the writer finished before the kill")

            guard let set = try? StagingSet(output: output) else { continue }  // killed before the first track
            let validation = try set.validate(verifyPayloads: true)
            XCTAssertFalse(validation.closedCleanly)
            guard let track = validation.tracks.first else { continue }
            XCTAssertTrue(track.droppedSamples.isEmpty, "trial \(trial): \(track.droppedSamples)")
            XCTAssertTrue(track.damagedUnits.isEmpty, "trial \(trial): \(track.damagedUnits)")
            let source = SyntheticSource(sampleCount: 1_000_000, averageSize: 400)
            var expected = 0
            try set.forEachKeptSample(of: track) { record in
                XCTAssertEqual(record.dts, Int64(expected) * SyntheticSource.frameDuration)
                XCTAssertEqual(try set.readPayload(record), source.payload(expected), "trial \(trial) sample \(expected)")
                expected += 1
            }
            XCTAssertEqual(expected, track.keptSamples)
            keptCounts.append(expected)
        }
        print("SIGKILL trials: \(trials), samples kept per trial: \(keptCounts)")
        XCTAssertGreaterThan(keptCounts.filter { $0 > 0 }.count, trials / 2, "most trials should have recorded something")
    }
}
