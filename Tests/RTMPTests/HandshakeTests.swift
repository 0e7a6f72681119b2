import RTMP
import XCTest

/// 5.2: C0+C1 in, S0+S1+S2 out (S2 echoes C1), then C2; byte by byte as well as at once.
final class HandshakeTests: XCTestCase {
    private let c0c1 = HandshakeInitiator().hello()

    func testRepliesS0S1S2WithS2EchoingC1() throws {
        let random = (0..<1528).map { UInt8(truncatingIfNeeded: $0 * 13) }
        var responder = HandshakeResponder(serverTime: 0x0102_0304, randomBytes: random)
        let step = try XCTUnwrap(try responder.step(c0c1[...]))
        XCTAssertEqual(step.consumed, 1537)
        XCTAssertEqual(step.reply.count, 1 + 1536 + 1536)
        XCTAssertEqual(step.reply[0], 3, "S0: version 3")
        XCTAssertEqual(Array(step.reply[1..<9]), [1, 2, 3, 4, 0, 0, 0, 0], "S1: time, then zero (no digest)")
        XCTAssertEqual(Array(step.reply[9..<1537]), random)
        XCTAssertEqual(Array(step.reply[1537...]), Array(c0c1[1...]), "S2 echoes C1")
        XCTAssertEqual(responder.state, .awaitingC2)
        XCTAssertNil(try responder.step([UInt8](repeating: 0, count: 1535)[...]), "C2 incomplete: nothing consumed")
        let c2 = try XCTUnwrap(try responder.step([UInt8](repeating: 0, count: 1600)[...]))
        XCTAssertEqual(c2, .init(consumed: 1536, reply: []))
        XCTAssertTrue(responder.isComplete)
    }

    func testEveryPrefixOfC0C1NeedsMoreBytes() throws {
        var responder = HandshakeResponder()
        for length in 0..<c0c1.count {
            XCTAssertNil(try responder.step(c0c1[0..<length]), "prefix of \(length)")
            XCTAssertEqual(responder.state, .awaitingC0C1)
        }
        XCTAssertNotNil(try responder.step(c0c1[...]))
    }

    func testOtherVersionsAreRefusedAtTheFirstByte() {
        for version: UInt8 in [0, 6, 0x16, 0xFF] {
            var responder = HandshakeResponder()
            XCTAssertThrowsError(try responder.step([version][...])) { error in
                XCTAssertEqual(error as? RTMPError, .unsupportedVersion(version))
            }
        }
    }

    func testInitiatorAndResponderComplete() throws {
        var client = HandshakeInitiator()
        var server = HandshakeResponder()
        let s = try XCTUnwrap(try server.step(client.hello()[...]))
        XCTAssertNil(try client.step(s.reply[0..<100]))
        let c2 = try XCTUnwrap(try client.step(s.reply[...]))
        XCTAssertEqual(c2.reply.count, 1536)
        XCTAssertEqual(c2.reply, Array(s.reply[1..<1537]), "C2 echoes S1")
        let done = try XCTUnwrap(try client.step(s.reply[1537...]))
        XCTAssertEqual(done.consumed, 1536)
        XCTAssertTrue(client.isComplete)
        _ = try server.step(c2.reply[...])
        XCTAssertTrue(server.isComplete)
    }
}
