import Containers
import MediaCore
import TestSupport
import XCTest

/// Damaged input never traps: truncation at every offset and random mutation, for both readers.
final class RobustnessTests: XCTestCase {
    /// The first second of h264_aac (video and audio), as each writer writes it.
    private func smallFiles() throws -> (flv: [UInt8], ts: [UInt8]) {
        let source = try ContainerFixture.h264AAC.source()
        let frames = source.frames.filter { frame in
            let track = source.tracks.first { $0.trackID == frame.trackID }!
            return frame.dts < Int64(track.timescale)
        }
        return (try writeFLV(frames, tracks: source.tracks), try writeTS(frames, tracks: source.tracks))
    }

    /// Every prefix of an FLV file reads to a prefix of the whole file's events, and
    /// `finish()` says whether it ends cleanly.
    func testFLVTruncatedAtEveryOffset() throws {
        let bytes = try smallFiles().flv
        let whole = readFLV(bytes).events
        // One reader fed a byte at a time is, after each byte, a reader of that prefix.
        var reader = FLVReader()
        var count = 0
        for offset in 0...bytes.count {
            let cleanEnd = (try? reader.finish()) != nil
            XCTAssertEqual(cleanEnd, offset == 0 || isTagBoundary(bytes, offset), "finish() at \(offset)")
            guard offset < bytes.count else { break }
            reader.push(bytes[offset...offset])
            while let event = try? reader.next() {
                XCTAssertEqual(event, whole[count], "event \(count) after \(offset + 1) bytes")
                count += 1
            }
        }
        XCTAssertEqual(count, whole.count)
        // A fresh reader over sampled prefixes agrees.
        for length in stride(from: 0, to: bytes.count, by: 211) {
            let events = readFLV(Array(bytes[0..<length])).events
            XCTAssertEqual(events, Array(whole.prefix(events.count)))
        }
    }

    /// Every prefix of a TS file reads, finished, without trapping: events are a prefix of
    /// the whole file's until the end, where a PES cut short may give a shorter last frame.
    func testTSTruncatedAtEveryOffset() throws {
        let bytes = try smallFiles().ts
        let whole = readTS(bytes).0
        var reader = TSReader()
        var count = 0
        for offset in 0..<bytes.count {
            var copy = reader
            copy.finish()
            var tail: [DemuxEvent] = []
            drainTS(&copy, into: &tail)
            XCTAssertLessThanOrEqual(count + tail.count, whole.events.count, "events at \(offset)")
            reader.push(bytes[offset...offset])
            while let event = try? reader.next() {
                XCTAssertEqual(event, whole.events[count], "event \(count) after \(offset + 1) bytes")
                count += 1
            }
        }
        reader.finish()
        while let event = try? reader.next() {
            XCTAssertEqual(event, whole.events[count])
            count += 1
        }
        XCTAssertEqual(count, whole.events.count)
        for length in stride(from: 0, to: bytes.count, by: 97) {
            let (result, _) = readTS(Array(bytes[0..<length]))
            for track: UInt32 in [1, 2] {
                let read = result.frames(track: track).dropLast()
                XCTAssertEqual(Array(read), Array(whole.frames(track: track).prefix(read.count)), "track \(track), \(length) bytes")
            }
        }
    }

    func testFLVMutationsNeverTrap() throws {
        try mutate(try smallFiles().flv, runs: 300, seed: 1) { _ = readFLV($0, chunkSize: 1000) }
        try mutate(try readFile(ContainerFixture.aacOnly.flv!), runs: 50, seed: 2) { _ = readFLV($0) }
        // Enhanced RTMP bodies, and the AV1 OBU, VP9 header and audio frame parsers behind them.
        for (i, name) in ["enhanced_av1", "enhanced_vp9", "enhanced_opus", "enhanced_eac3"].enumerated() {
            try mutate(try readFile(TestPaths.fixture("flv/\(name).flv")), runs: 100, seed: 10 + UInt64(i)) { _ = readFLV($0) }
        }
    }

    func testTSMutationsNeverTrap() throws {
        try mutate(try smallFiles().ts, runs: 300, seed: 3) { _ = readTS($0, chunkSize: 1316) }
        try mutate(try readFile(ContainerFixture.h265AAC.ts), runs: 30, seed: 4) { _ = readTS($0) }
    }

    /// Flips 1 to 16 random bytes, or cuts a random range out, `runs` times.
    private func mutate(_ bytes: [UInt8], runs: Int, seed: UInt64, _ read: ([UInt8]) -> Void) throws {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<runs {
            var mutated = bytes
            if Bool.random(using: &random) {
                for _ in 0..<Int.random(in: 1...16, using: &random) {
                    mutated[Int.random(in: 0..<mutated.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            } else {
                let start = Int.random(in: 0..<mutated.count, using: &random)
                mutated.removeSubrange(start..<min(mutated.count, start + Int.random(in: 1...400, using: &random)))
            }
            read(mutated)
        }
    }

    private func drainFLV(_ reader: inout FLVReader, into events: inout [DemuxEvent]) {
        while let event = try? reader.next() { events.append(event) }
    }

    private func drainTS(_ reader: inout TSReader, into events: inout [DemuxEvent]) {
        while let event = try? reader.next() { events.append(event) }
    }

    /// Whether `offset` is where a tag's PreviousTagSize starts or ends (a clean end of file).
    private func isTagBoundary(_ bytes: [UInt8], _ offset: Int) -> Bool {
        var position = FLVHeader.size
        while position <= bytes.count {
            if offset >= position && offset <= position + 4 { return true }
            guard position + 4 + FLVTag.headerSize <= bytes.count else { return false }
            let size = Int(bytes[position + 5]) << 16 | Int(bytes[position + 6]) << 8 | Int(bytes[position + 7])
            position += 4 + FLVTag.headerSize + size
        }
        return false
    }
}
