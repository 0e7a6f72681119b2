import Containers
import Foundation
import ISOBMFF
import MediaCore
import RTMP
import Recorder
import StagingWriter
import TestSupport
import XCTest

/// A deterministic mutation run over every parser that reads bytes from outside: the
/// MPEG-TS reader, the FLV reader, the staging-set reader (`StagingSet.validate` with payload
/// checks, as mp4writer --recovery runs it), the MP4 reader, and the RTMP server session
/// (chunk decoder, control, user control and command messages, aggregates, then the FLV tag
/// demuxer the ingest hands media to). Each input is a fixture with
/// seeded mutations (bit flips, random bytes, interesting integers, cuts, repeats, inserts);
/// each parse must end (within `parseTimeout`) without crashing. A crash fails the whole test
/// process, so the seed and mutation index are printed before each batch to replay it with
/// RELIABILITY_SEED.
final class HostileInputTests: XCTestCase {
    /// A parse of a 64 KiB input takes milliseconds; this is a hang.
    static let parseTimeout = 10.0

    struct Mutator {
        var rng: SeededGenerator

        mutating func mutate(_ input: [UInt8], focus: Range<Int>? = nil) -> [UInt8] {
            var bytes = input
            let rounds = Int.random(in: 1...8, using: &rng)
            for _ in 0..<rounds where !bytes.isEmpty {
                let range = focus.map { $0.clamped(to: 0..<bytes.count) }.flatMap { $0.isEmpty ? nil : $0 } ?? 0..<bytes.count
                let at = Int.random(in: range, using: &rng)
                switch Int.random(in: 0..<8, using: &rng) {
                case 0: bytes[at] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
                case 1: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                case 2:  // an interesting integer: 0, all ones, or a large length
                    let values: [[UInt8]] = [[0, 0, 0, 0], [0xFF, 0xFF, 0xFF, 0xFF], [0x7F, 0xFF, 0xFF, 0xFF], [0x80, 0, 0, 0], [0, 0, 0, 1]]
                    for (i, b) in values.randomElement(using: &rng)!.enumerated() where at + i < bytes.count { bytes[at + i] = b }
                case 3: bytes.removeLast(Int.random(in: 0...(bytes.count - at), using: &rng))  // cut
                case 4: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...64, using: &rng)))
                case 5: bytes.insert(contentsOf: (0..<Int.random(in: 1...32, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: at)
                case 6:  // repeat a slice
                    let end = min(bytes.count, at + Int.random(in: 1...512, using: &rng))
                    bytes.insert(contentsOf: bytes[at..<end], at: Int.random(in: 0...bytes.count, using: &rng))
                default: for i in at..<min(bytes.count, at + 188) { bytes[i] = 0 }
                }
            }
            return bytes
        }
    }

    /// Runs `count` mutations of `input` through `parse` in batches, each batch bounded in time.
    private func run(_ label: String, input: [UInt8], count: Int, seed: UInt64, focus: Range<Int>? = nil,
                     parse: @escaping @Sendable ([UInt8]) -> Void) {
        var mutator = Mutator(rng: SeededGenerator(seed: seed))
        let started = Date()
        let batch = 100
        var slowest = 0.0
        for first in stride(from: 0, to: count, by: batch) {
            let inputs = (first..<min(count, first + batch)).map { _ in mutator.mutate(input, focus: focus) }
            let t0 = Date()
            let ok = finishes(within: Self.parseTimeout * Double(inputs.count)) {
                for bytes in inputs { parse(bytes) }
            }
            slowest = max(slowest, Date().timeIntervalSince(t0) / Double(inputs.count))
            if !ok {
                // Find the input that hangs, one at a time.
                for (i, bytes) in inputs.enumerated() where !finishes(within: Self.parseTimeout, { parse(bytes) }) {
                    XCTFail("\(label): mutation \(first + i) (seed \(seed)) does not finish within \(Self.parseTimeout) s")
                    return
                }
            }
        }
        Reliability.report(String(format: "hostile %@: %d mutations, no crash, no hang, slowest batch %.2f ms per input, %.1f s", label, count,
                                  slowest * 1000, Date().timeIntervalSince(started)))
    }

    private func prefix(_ fixture: String, _ length: Int) throws -> [UInt8] {
        Array(try FileSystem.readFile(TestPaths.fixture(fixture)).prefix(length))
    }

    func testTSReaderSurvivesMutations() throws {
        let input = try prefix("ts/h264_aac.ts", 24 * 188 * 4)
        run("TS reader", input: input, count: Reliability.count(ci: 1500, long: 30_000), seed: Reliability.seed ^ 0x75) { bytes in
            var reader = TSReader()
            reader.push(bytes[..<(bytes.count / 2)])
            DemuxEvent.drain { try reader.next() }
            reader.push(bytes[(bytes.count / 2)...])
            reader.finish()
            DemuxEvent.drain { try reader.next() }
        }
    }

    func testFLVReaderSurvivesMutations() throws {
        let input = try prefix("flv/h264_aac.flv", 16 * 1024)
        run("FLV reader", input: input, count: Reliability.count(ci: 1500, long: 30_000), seed: Reliability.seed ^ 0xF1) { bytes in
            var reader = FLVReader()
            reader.push(bytes)
            DemuxEvent.drain { try reader.next() }
            _ = try? reader.finish()
        }
    }

    func testMP4ReaderSurvivesMutationsOfItsBoxes() throws {
        let input = try FileSystem.readFile(TestPaths.fixture("mp4/h264_aac.mp4"))
        // Mutate the boxes, not the media: everything but the mdat body.
        let reader = try MP4Reader(bytes: input)
        let mdat = reader.tree.first("mdat")
        let focus = mdat.map { Int($0.offset) < 64 ? Int($0.offset + $0.size)..<input.count : 0..<Int($0.offset) + 16 } ?? 0..<input.count
        run("MP4 reader", input: input, count: Reliability.count(ci: 1500, long: 30_000), seed: Reliability.seed ^ 0x34, focus: focus) { bytes in
            guard let reader = try? MP4Reader(bytes: bytes) else { return }
            var frames = reader.makeFrameIterator()
            var n = 0
            while n < 10_000, let frame = try? frames.next() { _ = frame; n += 1 }
        }
    }

    func testStagingReaderSurvivesMutations() throws {
        let dir = TestPaths.temporaryDirectory("hostile-staging")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let template = dir + "/template.mp4"
        try MP4FileSource(path: TestPaths.fixture("mp4/h264_aac.mp4")).writeStagingSet(output: template)
        let files = try [".track1", ".track2", ".info", ".mdat"].map { ($0, try FileSystem.readFile(template + $0)) }
        var rng = SeededGenerator(seed: Reliability.seed ^ 0x57)
        let count = Reliability.count(ci: 1000, long: 10_000)
        var mutator = Mutator(rng: SeededGenerator(seed: Reliability.seed ^ 0x58))
        let started = Date()
        var kept = 0
        for i in 0..<count {
            let output = dir + "/m\(i % 50).mp4"
            for (suffix, bytes) in files {
                // The payloads are long: mutate them less often so that runs stay fast.
                let damage = suffix == ".mdat" ? Int.random(in: 0..<4, using: &rng) == 0 : Bool.random(using: &rng)
                try FileSystem.writeAtomically(damage ? mutator.mutate(bytes) : bytes, to: output + suffix)
            }
            let ok = finishes(within: Self.parseTimeout) {
                guard let set = try? StagingSet(output: output), let validation = try? set.validate(verifyPayloads: true) else { return }
                for track in validation.tracks {
                    try? set.forEachKeptSample(of: track) { record in _ = try set.readPayload(record) }
                }
            }
            XCTAssertTrue(ok, "staging mutation \(i) (seed \(Reliability.seed)) does not finish")
            if !ok { return }
            if let set = try? StagingSet(output: output), let v = try? set.validate(verifyPayloads: true) { kept += v.tracks.reduce(0) { $0 + $1.keptSamples } }
        }
        Reliability.report(String(format: "hostile staging reader: %d mutated sets, no crash, no hang, %d samples kept in all, %.1f s",
                                  count, kept, Date().timeIntervalSince(started)))
    }

    /// What ffmpeg 5.1 sent when publishing 0.8 s of flv/h264_aac.flv, after the handshake
    /// (Tests/Fixtures/rtmp/README.md). Each mutation of it follows a plain handshake and is
    /// pushed in random-sized pieces (1 byte to 8 KiB), as socket reads deliver it.
    func testRTMPSessionSurvivesMutationsOfAPublisherStream() throws {
        let capture = try FileSystem.readFile(TestPaths.fixture("rtmp/ffmpeg_publish.bin"))
        // The clean capture drives a whole publish: the mutations start from a real session.
        let clean = Self.driveRTMPSession(capture, pieceSeed: 1)
        XCTAssertNil(clean.error, "the clean capture is refused: \(clean.error ?? "")")
        XCTAssertEqual(clean.published, ["cam"])
        XCTAssertTrue(clean.unpublished)
        XCTAssertGreaterThan(clean.frames, 30, "frames demuxed from the clean capture")

        let seed = Reliability.seed ^ 0x27
        let count = Reliability.count(ci: 1500, long: 30_000)
        // Reset the process's peak RSS to its current RSS (Linux clear_refs 5), so that the
        // peak measured after the run is this test's, not an earlier test's.
        Self.resetPeakResident()
        let peakBefore = Self.residentMiB("VmHWM:")
        let outcome = OutcomeCounter()
        run("RTMP session", input: capture, count: count, seed: seed) { bytes in
            let result = Self.driveRTMPSession(bytes, pieceSeed: UInt64(bytes.count) &* 0x9E37_79B9 ^ seed)
            outcome.add(result)
        }
        let grew = Self.residentMiB("VmHWM:") - peakBefore
        let tally = outcome.tally
        Reliability.report(String(format: "hostile RTMP session detail: clean capture %d frames; mutated: %d refused with an RTMPError, %d published, %d frames demuxed, largest reply %d bytes, peak RSS grew %.0f MiB",
                                  clean.frames, tally.refused, tally.published, tally.frames, tally.largestOutput, grew))
        // Each input is at most ~64 KiB; the limits bound what a session holds (16 MiB of
        // partial messages) and our replies are short: the process must not balloon.
        XCTAssertLessThan(grew, 256, "peak RSS grew by \(grew) MiB over the RTMP mutations")
        XCTAssertLessThan(tally.largestOutput, 1 << 20, "a reply larger than 1 MiB")
    }

    struct RTMPDrive {
        var error: String?
        var published: [String] = []
        var unpublished = false
        var frames = 0
        var outputBytes = 0
    }

    final class OutcomeCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = (refused: 0, published: 0, frames: 0, largestOutput: 0)
        func add(_ result: RTMPDrive) {
            lock.withLock {
                value.refused += result.error == nil ? 0 : 1
                value.published += result.published.count
                value.frames += result.frames
                value.largestOutput = max(value.largestOutput, result.outputBytes)
            }
        }
        var tally: (refused: Int, published: Int, frames: Int, largestOutput: Int) { lock.withLock { value } }
    }

    /// A client's handshake (C0, C1, C2): the server checks only the version byte.
    static let rtmpHandshake: [UInt8] = [3] + [UInt8](repeating: 0, count: 2 * HandshakeResponder.packetSize)

    /// Drives a server session over `body` (after a plain handshake) the way RTMPIngest does:
    /// push what a read returned, take events until nil, accept every publish, demux media
    /// through FLVTagDemuxer with a 32-bit unwrapper (bad tags skipped), take the output; an
    /// RTMPError ends the connection.
    static func driveRTMPSession(_ body: [UInt8], pieceSeed: UInt64) -> RTMPDrive {
        var result = RTMPDrive()
        var session = RTMPServerSession(handshake: HandshakeResponder(randomBytes: [UInt8](repeating: 7, count: HandshakeResponder.packetSize - 8)))
        var demuxer = FLVTagDemuxer()
        var unwrapper = TimestampUnwrapper(bits: 32)
        var rng = SeededGenerator(seed: pieceSeed)
        let input = rtmpHandshake + body
        var at = 0
        while at < input.count {
            // Mostly socket-sized reads, sometimes tiny ones that split every header.
            let size = Bool.random(using: &rng) ? Int.random(in: 1...16, using: &rng) : Int.random(in: 1...8192, using: &rng)
            let end = min(input.count, at + size)
            session.push(input[at..<end])
            at = end
            do {
                while let event = try session.nextEvent() {
                    switch event {
                    case .connected: break
                    case let .publishRequested(name, _, _):
                        result.published.append(name)
                        session.acceptPublish()
                    case let .media(kind, timestamp, body):
                        guard !body.isEmpty else { continue }
                        let time = unwrapper.unwrap(UInt64(timestamp))
                        if let events = try? demuxer.demux(kind, timestamp: time, body: body) {
                            result.frames += events.filter { if case .frame = $0 { return true } else { return false } }.count
                        }
                    case .unpublished:
                        result.unpublished = true
                    }
                }
            } catch {
                result.error = error.description
            }
            result.outputBytes += session.takeOutput().count
            if result.error != nil { break }
        }
        return result
    }

    /// A field of /proc/self/status in MiB (`VmHWM:` the peak resident set, `VmRSS:` the
    /// current one); 0 where /proc is missing.
    static func residentMiB(_ field: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }),
              let kib = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kib / 1024
    }

    /// Sets the peak resident set back to the current one (writes 5 to /proc/self/clear_refs).
    static func resetPeakResident() {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return }
        try? handle.write(contentsOf: Data("5".utf8))
        try? handle.close()
    }
}
