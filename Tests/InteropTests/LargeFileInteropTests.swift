import XCTest
import Foundation
import ISOBMFF
import MediaCore
import Recorder
import StagingWriter
import TestSupport

/// A set whose .mdat passes 4 GiB (a sparse file: the real samples sit past a hole) must give
/// co64 chunk offsets and a 64-bit mdat size that ffprobe reads at the right positions; with
/// winQtCompat the same set is refused with a clear message.
final class LargeFileInteropTests: XCTestCase {
    /// Where the real payload starts in the sparse .mdat: past 4 GiB.
    static let shift: UInt64 = (4 << 30) + (256 << 20)

    private func mp4writer(_ arguments: [String]) throws -> ExternalTool.Output {
        try ExternalTool.run(TestPaths.executable("mp4writer"), arguments)
    }

    /// Rewrites a set so that every payload lives `shift` bytes further into .mdat.
    private func shiftPayloads(of output: String, by shift: UInt64, winQtCompat: Bool? = nil) throws {
        let paths = StagingPaths(output: output)
        for id in paths.existingTrackIDs() {
            var bytes = try FileSystem.readFile(paths.track(id))
            var unit = StagingFormat.trackHeaderSize
            while unit + StagingFormat.unitSize <= bytes.count {
                let record = bytes.withUnsafeBytes { StagingRecord.decode($0, at: unit) }!
                if record.isSample {
                    var moved = record
                    moved.offset += shift
                    var encoded: [UInt8] = []
                    moved.encode(into: &encoded)
                    bytes.replaceSubrange(unit..<unit + StagingFormat.unitSize, with: encoded)
                    unit += StagingFormat.unitSize
                } else {
                    let body = (Int(record.size) + StagingFormat.unitSize - 1) / StagingFormat.unitSize
                    unit += StagingFormat.unitSize * (1 + body)
                }
            }
            let fd = try FileDescriptor.open(paths.track(id), [.writeOnly, .truncate])
            try fd.writeAll(bytes)
            try fd.close()
        }
        let payload = try FileSystem.readFile(paths.mdat)
        let mdat = try FileDescriptor.open(paths.mdat, [.writeOnly, .truncate])
        try mdat.writeAll(payload, toAbsoluteOffset: Int64(shift))  // leaves a hole before it
        try mdat.close()
        var info = try StagingInfo(decoding: FileSystem.readFile(paths.info), path: paths.info)
        info.mdatSize += shift
        if let winQtCompat { info.winQtCompat = winQtCompat }
        try FileSystem.writeAtomically(info.encoded(), to: paths.info)
    }

    private func payloadStart(_ path: String) throws -> (start: Int64, largeSize: Bool) {
        let mdat = try XCTUnwrap(BoxTree(path: path).first("mdat"))
        return (mdat.header.offset + Int64(mdat.header.headerSize), mdat.header.usesLargeSize)
    }

    func testPast4GiBUsesCO64AndA64BitMdat() throws {
        try FFmpegCheck.require()
        let fixture = TestPaths.fixture("mp4/h264_aac.mp4")
        let dir = TestPaths.temporaryDirectory("large")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let small = dir + "/small.mp4", large = dir + "/large.mp4"
        let source = try MP4FileSource(path: fixture)
        try source.writeStagingSet(output: small)
        try TestPaths.copyStagingSet(small, to: large)
        try shiftPayloads(of: large, by: Self.shift)

        XCTAssertEqual(try mp4writer(["-path=\(small)"]).status, 0)
        let result = try mp4writer(["-path=\(large)", "--keep-staging", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(report?["usedCO64"] as? Bool, true, result.stdout)
        XCTAssertGreaterThan(FileSystem.fileSize(large) ?? 0, Int64(Self.shift))

        let tree = try BoxTree(path: large)
        // A free box pads the header so that the payload starts on a block boundary.
        XCTAssertEqual(tree.topLevelTypes.map(\.description).filter { $0 != "free" }, ["ftyp", "moov", "mdat"])
        let stbl = try XCTUnwrap(tree.first("moov")?.children(ofType: "trak").first?.descendant("mdia", "minf", "stbl"))
        XCTAssertNotNil(stbl.child("co64"))
        XCTAssertNil(stbl.child("stco"))
        let (largeStart, largeSize) = try payloadStart(large)
        let (smallStart, _) = try payloadStart(small)
        XCTAssertTrue(largeSize, "mdat past 4 GiB needs the 64-bit size")

        XCTAssertEqual(try FFmpegCheck.complaints(large), "")
        for stream in ["v", "a"] {
            let expected = try FFmpegCheck.packetPositions(small, stream: stream).map { $0 - smallStart + Int64(Self.shift) + largeStart }
            let actual = try FFmpegCheck.packetPositions(large, stream: stream)
            XCTAssertFalse(actual.isEmpty)
            XCTAssertEqual(actual, expected, "\(stream) packet offsets")
        }
        try FFmpegCheck.assertSameMedia(large, as: fixture)

        // The same set, recorded with winQtCompat: 32-bit fields cannot address it.
        try FileSystem.remove(large)
        var info = try StagingInfo(decoding: FileSystem.readFile(large + ".info"), path: large + ".info")
        info.winQtCompat = true
        try FileSystem.writeAtomically(info.encoded(), to: large + ".info")
        let refused = try mp4writer(["-path=\(large)"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("winQtCompat") && refused.stderr.contains("32 bits"), refused.stderr)
        XCTAssertFalse(FileSystem.exists(large), "a refused finalize leaves no output")
        XCTAssertFalse(FileSystem.exists(large + ".partial"), "a refused finalize leaves no partial file")
        XCTAssertTrue(FileSystem.exists(large + ".mdat"), "a refused finalize keeps the staging set")
    }
}
