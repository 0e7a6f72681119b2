import Containers
import Foundation
import ISOBMFF
import MediaCore
import TestSupport
import XCTest

/// The MP4 fixtures and the containers ffmpeg made from them (Tests/Fixtures/{flv,ts}/README.md).
enum ContainerFixture: String, CaseIterable {
    case h264AAC = "h264_aac"
    case h264Only = "h264_only"
    case aacOnly = "aac_only"
    case h265AAC = "h265_aac"

    var mp4: String { TestPaths.fixture("mp4/\(rawValue).mp4") }
    var ts: String { TestPaths.fixture("ts/\(rawValue).ts") }
    /// ffmpeg 5.1 cannot write HEVC into FLV, so there is no h265_aac.flv.
    var flv: String? { self == .h265AAC ? nil : TestPaths.fixture("flv/\(rawValue).flv") }

    /// The source's tracks and frames, with the track ids of the containers (video 1, audio 2).
    func source() throws -> (tracks: [TrackDescription], frames: [MediaFrame]) {
        let reader = try MP4Reader(path: mp4)
        var ids: [UInt32: UInt32] = [:]
        var tracks: [TrackDescription] = []
        for track in reader.tracks {
            let id = track.kind == .video ? ContainerTrackID.video : ContainerTrackID.audio
            ids[track.trackID] = id
            var description = track.trackDescription
            description.trackID = id
            tracks.append(description)
        }
        let frames = try reader.frames().map { frame -> MediaFrame in
            var copy = frame
            copy.trackID = ids[frame.trackID]!
            return copy
        }
        return (tracks, frames)
    }
}

/// Everything a reader yields for `bytes`, fed `chunkSize` bytes at a time. Errors are
/// collected, not thrown, so damaged input reads to the end.
struct ReadResult {
    var events: [DemuxEvent] = []
    var errors: [Error] = []

    var frames: [MediaFrame] { events.compactMap(\.frame) }

    func frames(track: UInt32) -> [MediaFrame] { frames.filter { $0.trackID == track } }

    /// The track descriptions announced, with the descriptions added later.
    var tracks: [UInt32: TrackDescription] {
        var result: [UInt32: TrackDescription] = [:]
        for event in events {
            switch event {
            case let .track(track): result[track.trackID] = track
            case let .sampleDescription(trackID, _, description): result[trackID]?.sampleDescriptions.append(description)
            default: break
            }
        }
        return result
    }
}

/// A bound on reader loops in tests: a reader that throws without consuming would loop forever.
let maxEventsPerRead = 1_000_000

func readFLV(_ bytes: [UInt8], chunkSize: Int = Int.max) -> ReadResult {
    var reader = FLVReader()
    var result = ReadResult()
    var offset = 0
    repeat {
        let end = min(bytes.count, offset + max(1, min(chunkSize, bytes.count)))
        reader.push(bytes[offset..<end])
        offset = end
        drain(&result) { () throws(FLVError) -> DemuxEvent? in try reader.next() }
    } while offset < bytes.count
    do { try reader.finish() } catch { result.errors.append(error) }
    return result
}

func readTS(_ bytes: [UInt8], chunkSize: Int = Int.max) -> (ReadResult, TSReader.Statistics) {
    var reader = TSReader()
    var result = ReadResult()
    var offset = 0
    repeat {
        let end = min(bytes.count, offset + max(1, min(chunkSize, bytes.count)))
        reader.push(bytes[offset..<end])
        offset = end
        drain(&result) { () throws(TSError) -> DemuxEvent? in try reader.next() }
    } while offset < bytes.count
    reader.finish()
    drain(&result) { () throws(TSError) -> DemuxEvent? in try reader.next() }
    return (result, reader.statistics)
}

func drain<E: Error>(_ result: inout ReadResult, _ next: () throws(E) -> DemuxEvent?) {
    for _ in 0..<maxEventsPerRead {
        do {
            guard let event = try next() else { return }
            result.events.append(event)
        } catch {
            result.errors.append(error)
        }
    }
    XCTFail("reader did not stop within \(maxEventsPerRead) events")
}

func readFile(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Writes `frames` with a fresh FLV writer and applies its patches: the bytes of the file.
func writeFLV(_ frames: [MediaFrame], tracks: [TrackDescription]) throws -> [UInt8] {
    var writer = try FLVWriter(tracks: tracks)
    var bytes = writer.header
    for frame in frames { bytes += try writer.write(frame) }
    for patch in writer.finalPatches() {
        bytes.replaceSubrange(Int(patch.offset)..<Int(patch.offset) + patch.bytes.count, with: patch.bytes)
    }
    return bytes
}

func writeTS(_ frames: [MediaFrame], tracks: [TrackDescription], startTime: Int64 = TSWriter.defaultStartTime) throws -> [UInt8] {
    var writer = try TSWriter(tracks: tracks, startTime: startTime)
    var bytes: [UInt8] = []
    for frame in frames { bytes += try writer.write(frame) }
    return bytes
}

/// Asserts that `actual` (read from a container) holds the frames of `expected` (the MP4
/// source) per track, in decoding order: same payloads and keyframe flags, and timestamps
/// equal in seconds within `tolerance` after one shift common to all tracks (containers move
/// the start: ffmpeg's FLV to 0, its TS to 1.4 s).
func assertSameFrames(_ actual: [MediaFrame], actualTracks: [UInt32: TrackDescription],
                      _ expected: [MediaFrame], expectedTracks: [TrackDescription],
                      tolerance: Double, file: StaticString = #filePath, line: UInt = #line) {
    func seconds(_ value: Int64, _ timescale: UInt32) -> Double { Double(value) / Double(timescale) }
    let expectedScale = Dictionary(uniqueKeysWithValues: expectedTracks.map { ($0.trackID, $0.timescale) })
    guard let actualStart = actual.map({ seconds($0.dts, actualTracks[$0.trackID]?.timescale ?? 1) }).min(),
          let expectedStart = expected.map({ seconds($0.dts, expectedScale[$0.trackID]!) }).min() else {
        XCTFail("no frames", file: file, line: line)
        return
    }
    let shift = actualStart - expectedStart
    XCTAssertEqual(Set(actual.map(\.trackID)), Set(expected.map(\.trackID)), "tracks", file: file, line: line)
    for track in Set(expected.map(\.trackID)) {
        let a = actual.filter { $0.trackID == track }
        let e = expected.filter { $0.trackID == track }
        XCTAssertEqual(a.count, e.count, "frame count of track \(track)", file: file, line: line)
        guard let aScale = actualTracks[track]?.timescale, let eScale = expectedScale[track] else {
            XCTFail("track \(track) not announced", file: file, line: line)
            continue
        }
        for (i, (x, y)) in zip(a, e).enumerated() {
            XCTAssertEqual(x.payload, y.payload, "payload of track \(track) frame \(i)", file: file, line: line)
            XCTAssertEqual(x.isKeyframe, y.isKeyframe, "keyframe flag of track \(track) frame \(i)", file: file, line: line)
            XCTAssertEqual(seconds(x.dts, aScale) - shift, seconds(y.dts, eScale), accuracy: tolerance,
                           "dts of track \(track) frame \(i)", file: file, line: line)
            XCTAssertEqual(seconds(x.pts, aScale) - shift, seconds(y.pts, eScale), accuracy: tolerance,
                           "pts of track \(track) frame \(i)", file: file, line: line)
            if x.payload != y.payload || abs(seconds(x.pts, aScale) - shift - seconds(y.pts, eScale)) > tolerance { return }
        }
    }
}

/// The MD5 column of ffmpeg's framemd5 lines.
func hashColumn(_ lines: [String]) -> [String] {
    lines.compactMap { $0.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) } }
}

/// Asserts that ffmpeg decodes `output` silently to the frames it decodes from `source`: the
/// same video frame hashes, and the same audio hashes once the output's leading priming
/// frames (which the source's edit list hides) are set aside. Timestamps are not compared
/// (both containers move the start, and FLV rounds audio to milliseconds).
func assertDecodesLikeSource(_ output: String, source: String, file: StaticString = #filePath, line: UInt = #line) throws {
    XCTAssertEqual(try FFmpegCheck.complaints(output), "", "ffmpeg -v error on \(output)", file: file, line: line)
    let kinds = try FFmpegCheck.streams(source).map { $0.kind == "video" ? "v" : "a" }
    for kind in kinds {
        let expected = hashColumn(try FFmpegCheck.frameHashes(source, stream: kind))
        let actual = hashColumn(try FFmpegCheck.frameHashes(output, stream: kind))
        XCTAssertFalse(expected.isEmpty, "no \(kind) frames decoded from \(source)", file: file, line: line)
        if kind == "v" {
            XCTAssertEqual(actual, expected, "decoded video of \(output)", file: file, line: line)
        } else {
            XCTAssert(actual.count >= expected.count && actual.count <= expected.count + 2,
                      "audio frames: \(actual.count) decoded, source \(expected.count)", file: file, line: line)
            XCTAssertEqual(Array(actual.suffix(expected.count)), expected, "decoded audio of \(output)", file: file, line: line)
        }
    }
}

