import Foundation
import MediaCore
import TestSupport
import XCTest

/// The picture order counts read from encoders' slice headers put each coded sequence's
/// pictures in the order ffprobe shows them (its presentation times, from the muxer): x264 with
/// B-pyramids (pic_order_cnt_type 0), x264 without B-frames (type 2), x265 with B-pyramids.
final class PictureOrderCounterTests: XCTestCase {
    /// The stream's presentation times in decoding order (ffprobe) and its Annex B bytes.
    private func encode(_ codec: [String], ffmpeg: String, annexB: String, _ name: String) throws -> (pts: [Int64], bytes: [UInt8]) {
        let directory = TestPaths.temporaryDirectory("poc-\(name)")
        let mkv = "\(directory)/\(name).mkv"
        let made = try ExternalTool.run(ffmpeg, ["-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=2"]
                                         + codec + ["-pix_fmt", "yuv420p", "-y", mkv])
        XCTAssertEqual(made.status, 0, made.stderr)
        let raw = "\(directory)/\(name).\(annexB)"
        let copied = try ExternalTool.run(ffmpeg, ["-nostdin", "-v", "error", "-i", mkv, "-c", "copy", "-f", annexB, "-y", raw])
        XCTAssertEqual(copied.status, 0, copied.stderr)
        let probe = try ExternalTool.run("ffprobe", ["-v", "error", "-select_streams", "v", "-show_entries", "packet=pts", "-of", "csv=p=0", mkv])
        return (probe.stdout.split(separator: "\n").compactMap { Int64($0) }, Array(try Data(contentsOf: URL(fileURLWithPath: raw))))
    }

    /// Each access unit's first slice, in decoding order (a new access unit at each first slice).
    private func firstSlices(_ bytes: [UInt8], isFirstSlice: (ArraySlice<UInt8>) -> Bool) throws -> [(slice: ArraySlice<UInt8>, sets: [ArraySlice<UInt8>])] {
        var out: [(ArraySlice<UInt8>, [ArraySlice<UInt8>])] = []
        var sets: [ArraySlice<UInt8>] = []
        for unit in try NALUnit.splitAnnexB(bytes) {
            if isFirstSlice(unit) {
                out.append((unit, sets))
                sets = []
            } else {
                sets.append(unit)
            }
        }
        return out
    }

    /// Within each coded sequence, ranks by POC equal ranks by presentation time.
    private func assertSameOrder(_ keys: [(sequence: Int, count: Int64)], _ pts: [Int64], _ name: String) {
        XCTAssertEqual(keys.count, pts.count, name)
        let byPOC = keys.indices.sorted { (keys[$0].sequence, keys[$0].count) < (keys[$1].sequence, keys[$1].count) }
        let byPTS = pts.indices.sorted { pts[$0] < pts[$1] }
        XCTAssertEqual(byPOC, byPTS, "\(name): presentation order from the POC")
        XCTAssertNotEqual(byPTS, Array(pts.indices).sorted(), "\(name): reordered") // guards a vacuous pass
    }

    func testH264POCTypes0And2() throws {
        try FFmpegCheck.require()
        for (name, params, reorders) in [("b3pyramid", "bframes=3:b-pyramid=normal:keyint=20", true), ("nob", "bframes=0:keyint=20", false)] {
            let (pts, bytes) = try encode(["-c:v", "libx264", "-x264-params", params], ffmpeg: "ffmpeg", annexB: "h264", name)
            var counter = H264PictureOrderCounter()
            var sequence = 0
            var keys: [(Int, Int64)] = []
            let units = try firstSlices(bytes) { unit in
                guard let type = H264NALUnitType(nalUnit: unit), type.isVCL, unit.count > 1 else { return false }
                return unit[unit.startIndex + 1] & 0x80 != 0  // first_mb_in_slice == 0: ue(v) "1"
            }
            for (slice, sets) in units {
                sets.forEach { counter.take(parameterSet: $0) }
                if H264NALUnitType(nalUnit: slice)?.isIDR == true { sequence += 1 }
                keys.append((sequence, try XCTUnwrap(counter.pictureOrderCount(firstSlice: slice), name)))
            }
            if reorders {
                assertSameOrder(keys, pts, name)
                XCTAssertEqual(counter.declaredReorderDepth, 2, name)
            } else {
                XCTAssertTrue(zip(keys, keys.dropFirst()).allSatisfy { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) },
                              "\(name): POC type 2 follows decoding order within each sequence: \(keys)")
                XCTAssertEqual(pts, pts.sorted(), name)
                XCTAssertEqual(counter.declaredReorderDepth, 0, name)
            }
        }
    }

    func testH265POC() throws {
        try FFmpegCheck.require()
        let ffmpeg9 = try ModernFFmpeg.require()
        let (pts, bytes) = try encode(["-c:v", "libx265", "-x265-params", "bframes=4:b-pyramid=1:keyint=20:log-level=error"],
                                      ffmpeg: ffmpeg9, annexB: "hevc", "x265")
        var counter = H265PictureOrderCounter()
        var sequence = 0
        var keys: [(Int, Int64)] = []
        let units = try firstSlices(bytes) { unit in
            guard let type = H265NALUnitType(nalUnit: unit), type.isVCL, unit.count > 2 else { return false }
            return unit[unit.startIndex + 2] & 0x80 != 0  // first_slice_segment_in_pic_flag
        }
        for (slice, sets) in units {
            sets.forEach { counter.take(parameterSet: $0) }
            if counter.startsSequence(slice) { sequence += 1 }
            keys.append((sequence, try XCTUnwrap(counter.pictureOrderCount(firstSlice: slice))))
        }
        assertSameOrder(keys, pts, "x265")
        XCTAssertGreaterThan(counter.declaredReorderDepth ?? 0, 0)
    }
}
