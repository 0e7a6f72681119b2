import Foundation
import MediaCore
import MP4Finalizer
import Recorder
import StagingWriter
import TestSupport
import XCTest

/// The header is assembled in memory from the tables the validation pass kept, or, past
/// `FinalizeOptions.tableMemoryBudget`, streamed from the track files in a second pass. Both
/// must write the same file, byte for byte, whichever strategy moves the payload; and the file
/// must decode.
final class TableMemoryBudgetTests: XCTestCase {
    func testTablesHeldInMemoryAndStreamedGiveTheSameFile() throws {
        // Video with B-frames (ctts, stss) and AAC: every table kind, two tracks.
        let master = TestPaths.temporaryDirectory("budget-master") + "/rec.mp4"
        let samples = try MP4FileSource(path: TestPaths.fixture("mp4/h264_aac.mp4")).writeStagingSet(output: master, loops: 3)
        XCTAssertGreaterThan(samples, 500)

        var files: [String: Data] = [:]
        // The default holds everything; 1,000 bytes runs out part-way through each track; 0 never holds.
        for budget in [FinalizeOptions().tableMemoryBudget, 1_000, 0] {
            for strategy in [CopyStrategy.inplace, .copy] {
                let label = "\(strategy.rawValue), budget \(budget)"
                let output = TestPaths.temporaryDirectory("budget-\(budget)-\(strategy.rawValue)") + "/rec.mp4"
                try TestPaths.copyStagingSet(master, to: output)
                var options = FinalizeOptions()
                options.strategy = strategy
                options.tableMemoryBudget = budget
                let report = try Finalizer(options: options).finalize(output: output)
                XCTAssertEqual(report.strategy, strategy.rawValue, label)
                XCTAssertEqual(report.tracks.map(\.samples).reduce(0, +), samples, label)
                files[label] = try Data(contentsOf: URL(fileURLWithPath: output))
                if budget == 0 && strategy == .inplace {
                    XCTAssertEqual(try FFmpegCheck.complaints(output), "", "the streamed file decodes silently")
                }
            }
        }
        let reference = try XCTUnwrap(files["inplace, budget 0"])
        for (label, bytes) in files.sorted(by: { $0.key < $1.key }) {
            XCTAssertTrue(bytes == reference, "\(label) differs from the streamed in-place file")
        }
    }
}
