import XCTest
import Foundation
import MediaCore
import MP4Finalizer
import StagingWriter
import TestSupport

/// mp4writer killed with SIGKILL at random moments of a finalize, on the real disk, then run
/// again: nothing recorded may be lost at any instant, and the rerun must give the bytes of a
/// finalize that was never interrupted. (FinalizeCrashTests in InteropTests kills at each named
/// step; these kills fall anywhere, mid-copy and mid-scan included.)
final class InterruptedFinalizeTests: XCTestCase {
    /// 60 000 samples of ~600 bytes (36 MB): a finalize takes a few hundred milliseconds here.
    static let samples = 60_000, sampleSize = 600
    /// Kills that land before the finalize ends, per strategy (kills that come too late are
    /// retried, up to `maxAttemptsPerStrategy`).
    static let interruptionsPerStrategy = 10, maxAttemptsPerStrategy = 30

    func testKilledAtRandomMomentsThenRerunGivesTheUninterruptedBytes() throws {
        let synthwriter = TestPaths.executable("synthwriter")
        let dir = TestPaths.temporaryDirectory("kill-finalize")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let pristine = dir + "/pristine/rec.mp4"
        try FileManager.default.createDirectory(atPath: dir + "/pristine", withIntermediateDirectories: true)
        let made = try ExternalTool.run(synthwriter, ["--output", pristine, "--samples", "\(Self.samples)", "--size", "\(Self.sampleSize)"])
        XCTAssertEqual(made.status, 0, made.stderr)
        let stagingSuffixes = [".info", ".mdat", ".track1"]
        let pristineFiles = try Dictionary(uniqueKeysWithValues: stagingSuffixes.map { ($0, try Data(contentsOf: URL(fileURLWithPath: pristine + $0))) })

        var generator = SeededGenerator(seed: 0x4B49_4C4C)
        var states: [String: Int] = [:]
        var trials = 0, interrupted = 0
        for strategy in ["auto", "readwrite"] {
            let reference = try copy(pristineFiles, to: dir + "/reference-\(strategy)")
            let started = Date()
            let uninterrupted = try MP4Writer.run(["-path=\(reference)", "--strategy=\(strategy)", "--quiet"])
            // The shortest whole run seen so far: kills are drawn within it.
            var duration = Date().timeIntervalSince(started)
            XCTAssertEqual(uninterrupted.status, 0, uninterrupted.stderr)
            let expected = try Data(contentsOf: URL(fileURLWithPath: reference))

            var interruptedHere = 0
            for trial in 0..<Self.maxAttemptsPerStrategy where interruptedHere < Self.interruptionsPerStrategy {
                trials += 1
                let output = try copy(pristineFiles, to: dir + "/\(strategy)-\(trial)")
                // Half the kills anywhere, half in the last fifth, where the output is renamed
                // and the set removed (the windows a uniform draw rarely hits).
                let delay = trial % 2 == 0 ? Double.random(in: 0...duration, using: &generator)
                                           : Double.random(in: 0.8 * duration...1.05 * duration, using: &generator)
                let context = "\(strategy) trial \(trial), SIGKILL after \(Int(delay * 1000)) of \(Int(duration * 1000)) ms"
                let process = Process()
                process.executableURL = URL(fileURLWithPath: MP4Writer.path)
                process.arguments = ["-path=\(output)", "--strategy=\(strategy)", "--quiet"]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                usleep(UInt32(delay * 1_000_000))
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                if process.terminationReason == .uncaughtSignal {
                    interrupted += 1
                    interruptedHere += 1
                }

                // At this instant: the set whole, or the in-place insert with the payload whole
                // behind the header (the journal says how to finish), or the complete MP4.
                let state = try describe(output, pristine: pristineFiles, expected: expected)
                XCTAssertFalse(state.isEmpty, "\(context): neither the set, nor a resumable finalize, nor the complete MP4 is on disk")
                states[state.joined(separator: " + "), default: 0] += 1

                let rerunStarted = Date()
                let rerun = try MP4Writer.run(["-path=\(output)", "--strategy=\(strategy)", "--quiet"])
                if state == ["set intact"] { duration = min(duration, Date().timeIntervalSince(rerunStarted)) }
                XCTAssertTrue(rerun.status == 0 || rerun.status == 3, "\(context): rerun exited \(rerun.status): \(rerun.stderr)")
                XCTAssertTrue(try Data(contentsOf: URL(fileURLWithPath: output)) == expected, "\(context): the rerun must give the uninterrupted bytes")
                for suffix in stagingSuffixes + [".info.tmp", ".partial", ".journal"] {
                    XCTAssertFalse(FileSystem.exists(output + suffix), "\(context): \(suffix) left behind")
                }
                let again = try MP4Writer.run(["-path=\(output)", "--quiet"])
                XCTAssertEqual(again.status, 3, "\(context): a third run must find nothing to do: \(again.stderr)")
                try? FileManager.default.removeItem(atPath: FileSystem.directoryName(output))
            }
        }
        XCTAssertGreaterThanOrEqual(interrupted, 2 * Self.interruptionsPerStrategy, "\(trials) kills, only \(interrupted) landed before the finalize ended")
        print("random SIGKILL during finalize: \(trials) kills, \(interrupted) interrupted a finalize; states seen: \(states.sorted { $0.key < $1.key })")
    }

    /// Killed while the staging files were being removed (after the MP4 was durable): a rerun,
    /// with or without --recovery, removes what is left and never touches the MP4; so does a
    /// batch run, and a second batch run finds nothing.
    func testRerunAfterAnInterruptedRemovalOnlyRemovesLeftovers() throws {
        let source = SourceSet.shared
        let dir = TestPaths.temporaryDirectory("removal")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let reference = try source.copy(to: dir, name: "reference.mp4")
        XCTAssertEqual(try MP4Writer.run(["-path=\(reference)", "--quiet"]).status, 0)
        let expected = try FileSystem.readFile(reference)
        // What is left after each unlink of StagingSet.removeFiles: .mdat goes first.
        let leftovers: [[String]] = [[".track1", ".track2", ".info"], [".track2", ".info"], [".info"], [".info", ".info.tmp"]]

        func makeLeftovers(_ files: [String], at output: String) throws {
            try FileManager.default.copyItem(atPath: reference, toPath: output)
            for suffix in files {
                let from = source.output + (suffix == ".info.tmp" ? ".info" : suffix)
                try FileManager.default.copyItem(atPath: from, toPath: output + suffix)
            }
        }
        for (index, files) in leftovers.enumerated() {
            for arguments in [[], ["--recovery"]] {
                let output = dir + "/single-\(index)-\(arguments.count).mp4"
                try makeLeftovers(files, at: output)
                let result = try MP4Writer.run(["-path=\(output)"] + arguments)
                XCTAssertEqual(result.status, 3, "\(files) \(arguments): \(result.stderr)")
                XCTAssertTrue(result.stderr.contains("already finalized"), result.stderr)
                XCTAssertEqual(try FileSystem.readFile(output), expected, "\(files) \(arguments): the complete MP4 must not change")
                XCTAssertEqual(BatchFinalizer.stagingFiles(of: StagingPaths(output: output)), [], "\(files) \(arguments)")
            }
        }

        let tree = dir + "/tree"
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        for (index, files) in leftovers.enumerated() { try makeLeftovers(files, at: tree + "/rec\(index).mp4") }
        let batch = try MP4Writer.batch(tree)
        XCTAssertEqual(batch.status, 0, batch.stdout + batch.stderr)
        XCTAssertEqual(batch.report?.entries.map(\.outcome), Array(repeating: .leftoversRemoved, count: leftovers.count), batch.stdout)
        for index in leftovers.indices {
            XCTAssertEqual(try FileSystem.readFile(tree + "/rec\(index).mp4"), expected)
        }
        XCTAssertEqual(FileSystem.listDirectory(tree).sorted(), leftovers.indices.map { "rec\($0).mp4" })
        XCTAssertEqual(try MP4Writer.batch(tree).report?.entries.count, 0, "a second run must find nothing")
    }

    /// Writes the pristine set into a new folder and returns its output path.
    private func copy(_ files: [String: Data], to directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let output = directory + "/rec.mp4"
        for (suffix, data) in files { try data.write(to: URL(fileURLWithPath: output + suffix)) }
        return output
    }

    /// What is on disk after a kill, as far as it keeps the recording: each that holds.
    private func describe(_ output: String, pristine: [String: Data], expected: Data) throws -> [String] {
        func read(_ path: String) -> Data? { try? Data(contentsOf: URL(fileURLWithPath: path)) }
        var state: [String] = []
        let tracksIntact = read(output + ".track1") == pristine[".track1"] && read(output + ".info") == pristine[".info"]
        if let mdat = read(output + ".mdat"), tracksIntact {
            if mdat == pristine[".mdat"] {
                state.append("set intact")
            } else if FileSystem.exists(output + ".journal"), mdat.count > pristine[".mdat"]!.count,
                      mdat.suffix(pristine[".mdat"]!.count) == pristine[".mdat"]! {
                state.append("header inserted, payload intact, journal")
            }
        }
        if read(output) == expected { state.append("MP4 complete") }
        return state
    }
}
