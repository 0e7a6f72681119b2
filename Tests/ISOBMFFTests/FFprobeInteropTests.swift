import Foundation
import MediaCore
import TestSupport
import XCTest
@testable import ISOBMFF

/// Our timeline against ffprobe's: every packet's stream, pts, dts, size, position and flags,
/// in the order ffprobe reads them.
final class FFprobeInteropTests: XCTestCase {
    struct Packet: Equatable, CustomStringConvertible {
        var trackID: UInt32
        var pts: Int64
        var dts: Int64
        var size: Int
        var position: Int64
        /// "K" keyframe, "D" discard, "_" otherwise, as ffprobe prints them.
        var flags: String

        var description: String { "track \(trackID) pts \(pts) dts \(dts) size \(size) pos \(position) \(flags)" }
    }

    private func ffprobe() throws -> String {
        if let path = ExternalTool.find("ffprobe") { return path }
        if ExternalTool.isCI { XCTFail("ffprobe is required on CI"); throw XCTSkip("ffprobe missing") }
        throw XCTSkip("ffprobe not found on PATH: the interop check of the MP4 timeline did not run")
    }

    /// What ffprobe reports for `path`.
    private func ffprobePackets(_ path: String) throws -> [Packet] {
        let tool = try ffprobe()
        let streams = try ExternalTool.run(tool, ["-v", "error", "-show_entries", "stream=index,id", "-of", "compact=p=0", path])
        XCTAssertEqual(streams.status, 0, streams.stderr)
        var trackIDs: [Int: UInt32] = [:]
        for line in streams.stdout.split(separator: "\n") {
            let fields = Self.fields(line)
            guard let index = fields["index"].flatMap({ Int($0) }), let id = fields["id"] else { continue }
            trackIDs[index] = UInt32(id.dropFirst(2), radix: 16)
        }
        let output = try ExternalTool.run(tool, ["-v", "error", "-show_entries", "packet=stream_index,pts,dts,size,pos,flags",
                                                 "-of", "compact=p=0", path])
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertEqual(output.stderr, "", "ffprobe reports no errors")
        return output.stdout.split(separator: "\n").compactMap { line -> Packet? in
            let f = Self.fields(line)
            guard let index = f["stream_index"].flatMap({ Int($0) }), let trackID = trackIDs[index],
                  let pts = f["pts"].flatMap({ Int64($0) }), let dts = f["dts"].flatMap({ Int64($0) }),
                  let size = f["size"].flatMap({ Int($0) }), let position = f["pos"].flatMap({ Int64($0) }),
                  let flags = f["flags"] else { return nil }
            return Packet(trackID: trackID, pts: pts, dts: dts, size: size, position: position, flags: flags)
        }
    }

    private static func fields(_ line: Substring) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in line.split(separator: "|") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        return fields
    }

    /// What our reader reports, in file order.
    private func ourPackets(_ reader: MP4Reader) -> [Packet] {
        var packets: [Packet] = []
        for track in reader.tracks {
            for sample in track.samples {
                packets.append(Packet(trackID: track.trackID, pts: track.timeline.pts(of: sample),
                                      dts: track.timeline.dts(of: sample), size: Int(sample.size), position: sample.offset,
                                      flags: (sample.isSync ? "K" : "_") + (track.timeline.isDiscarded(sample) ? "D" : "_")))
            }
        }
        return packets.sorted { $0.position < $1.position }
    }

    private func assertMatchesFFprobe(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let theirs = try ffprobePackets(path)
        let reader = try MP4Reader(path: path)
        let ours = ourPackets(reader)
        XCTAssertEqual(ours.count, theirs.count, "\(path): packet count", file: file, line: line)
        var mismatches = 0
        for (index, (mine, expected)) in zip(ours, theirs).enumerated() where mine != expected {
            XCTFail("\(path) packet \(index): ours \(mine), ffprobe \(expected)", file: file, line: line)
            mismatches += 1
            if mismatches == 5 { break }
        }
        // The frames carry the same timestamps as the samples they come from.
        let frames = try reader.frames()
        XCTAssertEqual(frames.map(\.pts), ours.map(\.pts), file: file, line: line)
        XCTAssertEqual(frames.map(\.dts), ours.map(\.dts), file: file, line: line)
        XCTAssertEqual(frames.map(\.isKeyframe), ours.map { $0.flags.hasPrefix("K") }, file: file, line: line)
    }

    func testFixturesMatchFFprobe() throws {
        for fixture in MP4Fixture.allCases {
            try assertMatchesFFprobe(fixture.path)
        }
    }

    /// Our layout (moov first, co64, 64-bit mdat, signed ctts, several sample descriptions,
    /// an empty edit) read by both.
    func testOurLayoutMatchesFFprobe() throws {
        _ = try ffprobe()
        let directory = TestPaths.temporaryDirectory("isobmff")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for fixture in [MP4Fixture.h264AAC, .h265AAC] {
            let bytes = try TestMovieBuilder.rebuilt(from: MP4Reader(path: fixture.path)).build()
            let path = directory + "/" + fixture.rawValue
            try FileSystem.writeAtomically(bytes, to: path)
            try assertMatchesFFprobe(path)
        }
    }
}
