import Containers
import MediaCore
import RTMP
import TestSupport
import XCTest

/// Damaged input never traps or hangs: a publisher's bytes truncated at every offset, and
/// seeded mutations of its handshake, chunk headers and AMF0 commands.
final class RobustnessTests: XCTestCase {
    private func script() throws -> [UInt8] {
        ClientScript.bytes(ClientScript.messages(name: "cam1", tags: try ClientScript.tags(TestPaths.fixture("flv/h264_aac.flv"), count: 8)))
    }

    /// One session fed a byte at a time is, after each byte, a session of that prefix: its
    /// events are a prefix of the whole stream's. A fresh session per sampled prefix agrees.
    func testTruncatedAtEveryOffset() throws {
        let bytes = try script()
        let whole = SessionRun(bytes).events
        var session = RTMPServerSession()
        var events: [RTMPServerEvent] = []
        for offset in 0..<bytes.count {
            session.push(bytes[offset...offset])
            while let event = try session.nextEvent() {
                events.append(event)
                if case .publishRequested = event { session.acceptPublish() }
            }
            XCTAssertEqual(events, Array(whole.prefix(events.count)), "after \(offset + 1) bytes")
        }
        XCTAssertEqual(events, whole)
        for length in stride(from: 0, to: bytes.count, by: 37) {
            let run = SessionRun(Array(bytes[0..<length]))
            XCTAssertNil(run.error, "prefix of \(length)")
            XCTAssertEqual(run.events, Array(whole.prefix(run.events.count)), "prefix of \(length)")
        }
    }

    /// Random byte changes, insertions and deletions, aimed at the handshake, the chunk
    /// headers and the command bodies: every run ends (an error or a need for more bytes)
    /// within a bounded number of steps.
    func testSeededMutationsNeverTrapOrHang() throws {
        let bytes = try script()
        let handshakeEnd = 1 + 2 * HandshakeResponder.packetSize
        let commandsEnd = handshakeEnd + 400
        var random = SeededGenerator(seed: 0xF022_0001)
        var outcomes = (errors: 0, clean: 0)
        for iteration in 0..<1500 {
            var mutated = bytes
            let region: Range<Int> = switch iteration % 3 {
            case 0: 0..<handshakeEnd
            case 1: handshakeEnd..<commandsEnd
            default: handshakeEnd..<mutated.count
            }
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let at = Int.random(in: region.clamped(to: 0..<mutated.count), using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: mutated.insert(UInt8.random(in: 0...255, using: &random), at: at)
                case 1: mutated.remove(at: at)
                default: mutated[at] = UInt8.random(in: 0...255, using: &random)
                }
            }
            let run = SessionRun(mutated, step: [1, 500, Int.max][iteration % 3 == 0 ? 1 : Int.random(in: 0..<3, using: &random)])
            if run.error != nil { outcomes.errors += 1 } else { outcomes.clean += 1 }
            XCTAssertLessThanOrEqual(run.events.count, mutated.count, "events are bounded by bytes")
        }
        XCTAssertGreaterThan(outcomes.errors, 0, "some mutations are refused")
    }

    /// Random bytes after a good handshake: refused or waited on, never a trap.
    func testRandomBytesAfterTheHandshake() {
        var random = SeededGenerator(seed: 42)
        let handshake = HandshakeInitiator().hello() + [UInt8](repeating: 0, count: HandshakeResponder.packetSize)
        var refused = 0
        for _ in 0..<300 {
            let noise = (0..<Int.random(in: 1...4000, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            let run = SessionRun(handshake + noise, step: Int.random(in: 1...4000, using: &random))
            if run.error != nil { refused += 1 }
            XCTAssertTrue(run.media.isEmpty, "no media without a publish")
        }
        XCTAssertGreaterThan(refused, 150)
    }

    /// AMF0 command bodies, mutated: a command or an error, never a trap.
    func testMutatedCommandBodies() throws {
        let commands = ClientScript.messages(name: "cam1", tags: []).map(\.0).filter { $0.type == .commandAMF0 }.map(\.payload)
        var random = SeededGenerator(seed: 7)
        for _ in 0..<3000 {
            var body = commands[Int.random(in: 0..<commands.count, using: &random)]
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                body[Int.random(in: 0..<body.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            if Bool.random(using: &random) { body = Array(body.prefix(Int.random(in: 0...body.count, using: &random))) }
            _ = try? CommandMessage(parsing: body)
        }
    }
}
