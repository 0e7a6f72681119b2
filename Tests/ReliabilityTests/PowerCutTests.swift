import Foundation
import ISOBMFF
import MediaCore
import Recorder
import StagingWriter
import TestSupport
import XCTest

/// A power cut after a recording: each staging file is cut back as a page cache that lost its
/// last writes could leave it, independently of the others: truncated to an earlier length,
/// and/or its tail zeroed (the size reached the disk, the data blocks did not). Then
/// `mp4writer --recovery` must write an MP4 that decodes silently and holds exactly the intact
/// samples: as many per track as `StagingSet.validate` keeps, each the source's sample of the
/// same rank, and decoded video frames equal to the source's frames for those samples.
final class PowerCutTests: XCTestCase {
    static let fixture = TestPaths.fixture("mp4/h264_aac.mp4")

    /// How one file is cut back.
    struct Cut: CustomStringConvertible {
        var file: String
        var truncateTo: Int?
        var zeroFrom: Int?
        var description: String {
            "\(file): " + [truncateTo.map { "truncated to \($0)" }, zeroFrom.map { "zeroed from \($0)" }].compactMap { $0 }.joined(separator: ", ")
        }
    }

    func testPowerCutsAtRandomPointsRecoverExactlyTheIntactSamples() throws {
        try FFmpegCheck.require()
        let trials = Reliability.count(ci: 60, long: 500)
        let templateDirectory = TestPaths.temporaryDirectory("powercut-template")
        defer { try? FileManager.default.removeItem(atPath: templateDirectory) }
        let template = templateDirectory + "/rec.mp4"
        try MP4FileSource(path: Self.fixture).writeStagingSet(output: template)
        let source = try MP4Reader(path: Self.fixture)
        let sourcePayloads = try Dictionary(uniqueKeysWithValues: source.tracks.map { track in
            (track.trackID, try track.samples.map { try source.readSamplePayload($0) })
        })
        let video = source.tracks.first { $0.kind == .video }!
        let sourceFrames = try Probe.videoFrameMD5s(Self.fixture)
        // Presentation rank of each video sample (decode order -> output order of a decoder).
        let presentationOrder = video.samples.indices.sorted {
            (video.samples[$0].dts + Int64(video.samples[$0].compositionOffset), $0) <
            (video.samples[$1].dts + Int64(video.samples[$1].compositionOffset), $1)
        }
        var rank = [Int](repeating: 0, count: video.samples.count)
        for (r, i) in presentationOrder.enumerated() { rank[i] = r }
        XCTAssertEqual(sourceFrames.count, video.samples.count)

        let suffixes = [".mdat", ".track1", ".track2", ".info"]
        let sizes = try suffixes.map { try FileSystem.readFile(template + $0).count }
        var rng = SeededGenerator(seed: Reliability.seed ^ 0x9C)
        var outcomes: [String: Int] = [:]
        var keptFraction = 0.0
        let started = Date()
        for trial in 0..<trials {
            let dir = TestPaths.temporaryDirectory("powercut\(trial)")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let output = dir + "/rec.mp4"
            var cuts: [Cut] = []
            for (suffix, size) in zip(suffixes, sizes) {
                var bytes = try FileSystem.readFile(template + suffix)
                var cut = Cut(file: suffix)
                // .info is replaced atomically; a cut leaves it old, missing or unreadable.
                let chance = suffix == ".info" ? 0.3 : 0.7
                if Double.random(in: 0..<1, using: &rng) < chance {
                    // Usually the last writes are lost (up to 32 KiB), sometimes much more.
                    let length = Bool.random(using: &rng) ? Int.random(in: 0...size, using: &rng)
                                                          : size - Int.random(in: 0...min(size, 32 << 10), using: &rng)
                    bytes.removeLast(size - length)
                    cut.truncateTo = length
                }
                if !bytes.isEmpty, Double.random(in: 0..<1, using: &rng) < 0.5 {
                    // Zeros from a block-ish boundary (or anywhere) to the end.
                    var from = Bool.random(using: &rng) ? Int.random(in: 0..<bytes.count, using: &rng)
                                                        : bytes.count - Int.random(in: 1...min(bytes.count, 16 << 10), using: &rng)
                    if Bool.random(using: &rng) { from = from / 4096 * 4096 }
                    for i in from..<bytes.count { bytes[i] = 0 }
                    cut.zeroFrom = from
                }
                if cut.truncateTo != nil || cut.zeroFrom != nil { cuts.append(cut) }
                try FileSystem.writeAtomically(bytes, to: output + suffix)
            }
            let label = "trial \(trial) [\(cuts.map(\.description).joined(separator: "; "))]"

            // The oracle: what validation keeps, read before mp4writer touches the set.
            var kept: [UInt32: Int] = [:]
            if let set = try? StagingSet(output: output) {
                let validation = try set.validate(verifyPayloads: true)
                for track in validation.tracks where track.keptSamples > 0 { kept[track.trackID] = track.keptSamples }
            }
            let run = try ExternalTool.run(TestPaths.executable("mp4writer"), ["-path=\(output)", "--recovery", "--quiet"])
            let total = kept.values.reduce(0, +)
            guard total > 0 else {
                outcomes["nothing recoverable", default: 0] += 1
                XCTAssertNotEqual(run.status, 0, "\(label): nothing intact, yet mp4writer succeeded")
                XCTAssertFalse(FileSystem.exists(output), "\(label): an MP4 from nothing")
                continue
            }
            XCTAssertTrue([0, 4].contains(run.status), "\(label): mp4writer exited \(run.status): \(run.stderr)")
            outcomes[run.status == 0 ? "complete" : "recovered with losses", default: 0] += 1
            guard FileSystem.exists(output) else { XCTFail("\(label): no MP4"); continue }
            XCTAssertEqual(try FFmpegCheck.complaints(output), "", label)

            let recovered = try MP4Reader(path: output)
            XCTAssertEqual(Dictionary(uniqueKeysWithValues: recovered.tracks.map { ($0.trackID, $0.samples.count) }), kept,
                           "\(label): samples per track")
            for track in recovered.tracks {
                let expected = sourcePayloads[track.trackID] ?? []
                let payloads = try track.samples.map { try recovered.readSamplePayload($0) }
                if let i = payloads.indices.first(where: { $0 >= expected.count || payloads[$0] != expected[$0] }) {
                    XCTFail("\(label): track \(track.trackID) sample \(i) is not the source's sample \(i)")
                }
                keptFraction += Double(track.samples.count) / Double(expected.count) / Double(recovered.tracks.count) / Double(trials)
            }
            if let v = recovered.tracks.first(where: { $0.kind == .video }) {
                // A prefix in decode order decodes to the source's frames of those samples.
                let expectedFrames = (0..<v.samples.count).map { rank[$0] }.sorted().map { sourceFrames[$0] }
                XCTAssertEqual(try Probe.videoFrameMD5s(output), expectedFrames, "\(label): decoded video frames")
            }
        }
        Reliability.report(String(format: "power cut: %d trials, %@, mean kept %.0f%% of samples, %.1f s", trials,
                                  outcomes.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "),
                                  keptFraction * 100, Date().timeIntervalSince(started)))
    }
}
