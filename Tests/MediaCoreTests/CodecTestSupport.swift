import Foundation
import XCTest
import MediaCore
import TestSupport

/// Bytes from a hex string; spaces and newlines are ignored.
func hex(_ string: String) -> [UInt8] {
    let digits = string.filter { !$0.isWhitespace }
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    var bytes: [UInt8] = []
    bytes.reserveCapacity(digits.count / 2)
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

func hexString<C: Collection<UInt8>>(_ bytes: C) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

/// The body of the first box of type `fourCC` in an MP4 fixture, found by scanning for the
/// type (enough for the sample entry configuration boxes, which occur once).
func boxBody(_ fourCC: String, inFixture path: String) throws -> [UInt8] {
    let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestPaths.fixture(path))))
    let type = Array(fourCC.utf8)
    guard data.count > 8 else { throw FixtureError.boxNotFound(fourCC) }
    for i in 4..<(data.count - 4) where Array(data[i..<i + 4]) == type {
        let size = data[(i - 4)..<i].reduce(0) { ($0 << 8) | Int($1) }
        guard size >= 8, i - 4 + size <= data.count else { continue }
        return Array(data[(i + 4)..<(i - 4 + size)])
    }
    throw FixtureError.boxNotFound(fourCC)
}

enum FixtureError: Error { case boxNotFound(String) }


/// Calls `parse` on `count` copies of `bytes`, each with one to four random bytes replaced.
/// The parser may accept or throw; what is tested is that it returns (never traps or hangs).
func mutate(_ bytes: [UInt8], count: Int = 500, seed: UInt64 = 1, _ parse: ([UInt8]) -> Void) {
    var rng = SeededGenerator(seed: seed)
    for _ in 0..<count {
        var copy = bytes
        for _ in 0..<Int.random(in: 1...4, using: &rng) where !copy.isEmpty {
            copy[Int.random(in: 0..<copy.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
        }
        parse(copy)
    }
}

/// Runs ffprobe on a fixture and returns the first stream of `selector` ("v:0", "a:0") as
/// key=value pairs, or nil (with the test skipped) when ffprobe is missing outside CI.
func ffprobeStream(_ fixture: String, _ selector: String) throws -> [String: String]? {
    guard let ffprobe = ExternalTool.find("ffprobe") else {
        if ExternalTool.isCI { XCTFail("ffprobe is required under CI") }
        return nil
    }
    let output = try ExternalTool.run(ffprobe, ["-v", "error", "-select_streams", selector, "-show_streams",
                                                TestPaths.fixture(fixture)])
    var fields: [String: String] = [:]
    for line in output.stdout.split(separator: "\n") {
        let parts = line.split(separator: "=", maxSplits: 1)
        if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
    }
    return fields
}

/// The syntax elements ffmpeg's trace_headers bitstream filter prints for the parameter sets
/// in a fixture's sample entry: section title ("Sequence Parameter Set") to element name
/// ("pic_width_in_mbs_minus1", "sps_max_num_reorder_pics[0]") to value, first section of each
/// title only. Nil (test skipped) without ffmpeg outside CI.
func ffmpegTraceHeaders(_ fixture: String) throws -> [String: [String: Int64]]? {
    guard let ffmpeg = ExternalTool.find("ffmpeg") else {
        if ExternalTool.isCI { XCTFail("ffmpeg is required under CI") }
        return nil
    }
    let output = try ExternalTool.run(ffmpeg, ["-hide_banner", "-loglevel", "trace", "-i", TestPaths.fixture(fixture),
                                               "-c:v", "copy", "-an", "-bsf:v", "trace_headers", "-frames:v", "1",
                                               "-f", "null", "-"])
    var sections: [String: [String: Int64]] = [:]
    var current: String?
    for line in output.stderr.split(separator: "\n") where line.hasPrefix("[trace_headers") {
        guard let close = line.firstIndex(of: "]") else { continue }
        let text = line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        if let first = words.first, Int(first) != nil, words.count >= 4, let value = Int64(words.last!) {
            // "<bit position> <name> <bits> = <value>"
            if let current, sections[current]?[String(words[1])] == nil { sections[current]?[String(words[1])] = value }
        } else if text.hasSuffix("Parameter Set") {
            current = sections[text] == nil ? text : nil
            if let current { sections[current] = [:] }
        } else if !text.isEmpty && !text.contains(":") {
            current = nil
        }
    }
    return sections
}

/// The samples of a single-track MP4 fixture written by ffmpeg, in decoding order: sizes from
/// `stsz`, bytes from `mdat` (ffmpeg lays one track's samples out back to back).
func samples(inFixture path: String) throws -> [[UInt8]] {
    var sizes = ByteReader(try boxBody("stsz", inFixture: path))
    try sizes.skip(4)
    let constant = Int(try sizes.readInteger(UInt32.self))
    let count = Int(try sizes.readInteger(UInt32.self))
    let mdat = try boxBody("mdat", inFixture: path)
    var position = 0
    return try (0..<count).map { _ in
        let size = constant != 0 ? constant : Int(try sizes.readInteger(UInt32.self))
        defer { position += size }
        return Array(mdat[position..<(position + size)])
    }
}
