import Foundation
import MediaCore
import MP4Finalizer
import Recorder
import StagingWriter
import SyntheticMedia
import TestSupport
import XCTest

/// The copy strategies move the payload in write-behind pieces (`Finalizer.copyStep`); a
/// payload of several pieces, the last one partial, must land byte for byte where in-place
/// finalizing puts it, with every strategy writing the same file.
final class CopyStrategyTests: XCTestCase {
    func testAPayloadOfSeveralPiecesGivesTheSameFileWithEveryStrategy() throws {
        let master = TestPaths.temporaryDirectory("pieces-master") + "/rec.mp4"
        let writer = try StagingWriter(output: master)
        try writer.addTrack(SyntheticSource.trackDescription)
        // About 77 MiB: two whole 32 MiB pieces and a partial third.
        let source = SyntheticSource(sampleCount: 1_900, averageSize: 42_000)
        for i in 0..<1_900 { try writer.append(source.frame(i)) }
        try writer.close()
        // Data: compared with memcmp, fast in a debug build too.
        let payload = try Data(contentsOf: URL(fileURLWithPath: master + ".mdat"))
        XCTAssertGreaterThan(payload.count, 2 * 32 << 20)

        var files: [CopyStrategy: Data] = [:]
        for strategy in [CopyStrategy.inplace, .copy, .readwrite] {
            let output = TestPaths.temporaryDirectory("pieces-\(strategy.rawValue)") + "/rec.mp4"
            try TestPaths.copyStagingSet(master, to: output)
            var options = FinalizeOptions()
            options.strategy = strategy
            let report = try Finalizer(options: options).finalize(output: output)
            XCTAssertEqual(report.strategy, strategy.rawValue)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: output))
            let payloadStart = Int(report.fileSize - report.mdatPayloadBytes)
            XCTAssertEqual(report.mdatPayloadBytes, Int64(payload.count))
            XCTAssertTrue(bytes[payloadStart...] == payload, "\(strategy): the payload moved intact")
            files[strategy] = bytes
        }
        XCTAssertTrue(files[.copy] == files[.inplace] && files[.readwrite] == files[.inplace], "the strategies wrote different files")
    }
}
