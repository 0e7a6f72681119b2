import Foundation
import MediaCore
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The transport (MediaCore/System/Transport): every failure is a `SocketError` that says which
/// call on which address, and none leaves a descriptor behind (counted in /proc/self/fd).
final class TransportTests: XCTestCase {
    /// Loopback IPv6 exists (some containers run without it): the IPv6 cases run only there.
    private static let hasIPv6Loopback: Bool = {
        guard let probe = try? DatagramSocket.bind(host: "::1", port: 0) else {
            print("TransportTests: no IPv6 loopback (::1) on this machine; IPv6 cases skipped")
            return false
        }
        probe.close()
        return true
    }()

    private func openDescriptors() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
    }

    /// Runs `body` (which must throw) and checks that the descriptor count is what it was.
    private func assertNoLeak(_ what: String, file: StaticString = #filePath, line: UInt = #line,
                              _ body: () throws -> Void) throws -> SocketError? {
        let before = try openDescriptors()
        var caught: SocketError?
        do {
            try body()
            XCTFail("\(what): expected a failure", file: file, line: line)
        } catch let error as SocketError {
            caught = error
        }
        XCTAssertEqual(try openDescriptors(), before, "\(what) leaked a descriptor", file: file, line: line)
        return caught
    }

    func testBindFailuresCloseTheSocketAndNameTheCall() throws {
        let taken = try StreamSocket.listen(host: "127.0.0.1", port: 0)
        defer { taken.close() }
        let port = try taken.localPort()
        let inUse = try assertNoLeak("TCP bind to a port in use") { _ = try StreamSocket.listen(host: "127.0.0.1", port: port) }
        XCTAssertEqual(inUse?.call, "bind")
        XCTAssertEqual(inUse?.errno, EADDRINUSE)
        XCTAssertEqual(inUse?.description.hasPrefix("127.0.0.1:\(port): bind failed: "), true, inUse?.description ?? "")

        let udp = try DatagramSocket.bind(host: "127.0.0.1", port: 0)
        defer { udp.close() }
        let udpInUse = try assertNoLeak("UDP bind to a port in use") { _ = try DatagramSocket.bind(host: "127.0.0.1", port: try udp.localPort()) }
        XCTAssertEqual(udpInUse?.errno, EADDRINUSE)

        // TEST-NET-1 is never a local address.
        let foreign = try assertNoLeak("bind to an address not on this machine") { _ = try StreamSocket.listen(host: "192.0.2.1", port: 0) }
        XCTAssertEqual(foreign?.errno, EADDRNOTAVAIL)

        let server = ConnectionServer(host: "127.0.0.1", port: port, maxConnections: 1, handle: { _ in }, reject: { _ in })
        let serverError = try assertNoLeak("ConnectionServer on a port in use") { try server.start() }
        XCTAssertEqual(serverError?.call, "bind")
    }

    func testResolutionFailuresAreTypedAndLeakNothing() throws {
        let unknown = try assertNoLeak("unknown host") { _ = try StreamSocket.connect(host: "no-such-host.invalid", port: 80) }
        XCTAssertEqual(unknown?.call, "getaddrinfo")
        let range = try assertNoLeak("port out of range") { _ = try DatagramSocket.bind(host: "127.0.0.1", port: 70_000) }
        XCTAssertEqual(range?.reason, "port out of range 0...65535")
    }

    func testConnectFailuresCloseTheSocket() throws {
        let closed = try StreamSocket.listen(host: "127.0.0.1", port: 0)
        let port = try closed.localPort()
        closed.close()
        let refused = try assertNoLeak("connect to a closed port") { _ = try StreamSocket.connect(host: "127.0.0.1", port: port) }
        XCTAssertEqual(refused?.errno, ECONNREFUSED)
        if Self.hasIPv6Loopback {
            let refusedV6 = try assertNoLeak("connect to a closed IPv6 port") {
                _ = try StreamSocket.connect(host: "::1", port: port, deadline: .now + .seconds(2))
            }
            XCTAssertEqual(refusedV6?.address, "[::1]:\(port)")
        }

        // TEST-NET-1 drops or refuses: either way an error within the deadline, nothing left open.
        let started = ContinuousClock.now
        let unreachable = try assertNoLeak("connect that cannot complete") {
            _ = try StreamSocket.connect(host: "192.0.2.1", port: 9, deadline: .now + .milliseconds(300))
        }
        XCTAssertEqual(unreachable?.call, "connect")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2))
    }

    /// IPv4 and IPv6, TCP and UDP: bytes go through, and a deadline with nothing to read says so.
    func testTCPAndUDPCarryBytesOverIPv4AndIPv6() throws {
        for host in ["127.0.0.1"] + (Self.hasIPv6Loopback ? ["::1"] : []) {
            let listener = try StreamSocket.listen(host: host, port: 0)
            defer { listener.close() }
            let client = try StreamSocket.connect(host: host, port: try listener.localPort(), deadline: .now + .seconds(2))
            defer { client.close() }
            XCTAssertTrue(try listener.waitReadable(until: .now + .seconds(2)))
            let accepted = try XCTUnwrap(try listener.accept())
            defer { accepted.close() }
            XCTAssertFalse(try accepted.waitReadable(until: .now), "nothing sent yet")
            try client.writeAll([1, 2, 3])
            var buffer = [UInt8](repeating: 0, count: 16)
            XCTAssertTrue(try accepted.waitReadable(until: .now + .seconds(2)))
            XCTAssertEqual(try accepted.receive(into: &buffer), 3)
            XCTAssertEqual(Array(buffer[0..<3]), [1, 2, 3])
            XCTAssertEqual(accepted.peerAddress().map(SocketAddress.host(of:)), host)

            let receiver = try DatagramSocket.bind(host: host, port: 0)
            defer { receiver.close() }
            let sender = try DatagramSocket.bind(host: host, port: 0)
            defer { sender.close() }
            try sender.send([9, 8], toHost: host, port: try receiver.localPort())
            XCTAssertTrue(try receiver.waitReadable(until: .now + .seconds(2)))
            var from: String?
            XCTAssertEqual(try receiver.receive(into: &buffer, sender: &from), 2)
            XCTAssertEqual(from, SocketCalls_label(host, try sender.localPort()))
        }
    }

    /// The read a live connection makes (one blocking `recv` under the kernel's receive
    /// timeout, no `poll`): bytes as they come, a deadline kept whatever the longest block, a
    /// low-water mark that gathers small writes until it or the longest block is reached, and
    /// the end of the stream.
    func testBlockingReadKeepsItsDeadlineAndGathersSmallWrites() throws {
        let listener = try StreamSocket.listen(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        let client = try StreamSocket.connect(host: "127.0.0.1", port: try listener.localPort(), deadline: .now + .seconds(2))
        defer { client.close() }
        XCTAssertTrue(try listener.waitReadable(until: .now + .seconds(2)))
        let accepted = try XCTUnwrap(try listener.accept())
        defer { accepted.close() }
        var buffer = [UInt8](repeating: 0, count: 64)
        var timeout = ReceiveTimeout(longestBlock: .seconds(5))
        func read(until deadline: ContinuousClock.Instant?) throws -> StreamSocket.ReadResult {
            try buffer.withUnsafeMutableBytes { raw in
                try Result { () throws(SocketError) in try accepted.read(into: raw, deadline: deadline, timeout: &timeout) }.get()
            }
        }

        // Silent: the deadline ends the read, not the 5 s block, and a past deadline only looks.
        var start = ContinuousClock.now
        XCTAssertEqual(try read(until: .now + .milliseconds(200)), .timedOut)
        var waited = ContinuousClock.now - start
        XCTAssertGreaterThanOrEqual(waited, .milliseconds(200))
        XCTAssertLessThan(waited, .seconds(2))
        start = ContinuousClock.now
        XCTAssertEqual(try read(until: .now), .timedOut)
        XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(100))

        try client.writeAll([1, 2, 3])
        XCTAssertEqual(try read(until: .now + .seconds(2)), .bytes(3))
        XCTAssertEqual(Array(buffer[0..<3]), [1, 2, 3])

        // With a low-water mark of 8 bytes, three 2-byte writes 30 ms apart come back as one
        // read: the kernel holds them until the longest block (here 300 ms) has passed.
        accepted.setReceiveLowWater(8)
        timeout.longestBlock = .milliseconds(300)
        DispatchQueue.global().async {
            for byte in [UInt8(4), 5, 6] {
                try? client.writeAll([byte, byte])
                Thread.sleep(forTimeInterval: 0.03)
            }
        }
        start = ContinuousClock.now
        XCTAssertEqual(try read(until: .now + .seconds(5)), .bytes(6))
        waited = ContinuousClock.now - start
        XCTAssertEqual(Array(buffer[0..<6]), [4, 4, 5, 5, 6, 6])
        XCTAssertGreaterThanOrEqual(waited, .milliseconds(250))
        XCTAssertLessThan(waited, .seconds(2))
        // Eight bytes at once are returned at once.
        try client.writeAll([UInt8](repeating: 7, count: 8))
        start = ContinuousClock.now
        XCTAssertEqual(try read(until: .now + .seconds(5)), .bytes(8))
        XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(200))

        client.shutdownWrite()
        XCTAssertEqual(try read(until: .now + .seconds(2)), .endOfStream)
    }

    /// A server that served a connection and stopped leaves no descriptor behind (listener,
    /// wake pipe, connection), and a connection over the bound gets the refusal.
    func testConnectionServerStopsWithEveryDescriptorClosed() throws {
        let before = try openDescriptors()
        let server = ConnectionServer(host: "127.0.0.1", port: 0, maxConnections: 1, name: "test",
                                      handle: { socket in
                                          var buffer = [UInt8](repeating: 0, count: 16)
                                          if let n = try? socket.receive(into: &buffer), n > 0 { try? socket.writeAll(Array(buffer[0..<n])) }
                                          _ = try? socket.waitReadable(until: .now + .seconds(5))  // hold the slot until the client leaves
                                      },
                                      reject: { socket in try? socket.writeAll(Array("busy".utf8)) })
        try server.start()
        let first = try StreamSocket.connect(host: "127.0.0.1", port: server.port, deadline: .now + .seconds(2))
        try first.writeAll([7])
        var buffer = [UInt8](repeating: 0, count: 16)
        XCTAssertTrue(try first.waitReadable(until: .now + .seconds(2)))
        XCTAssertEqual(try first.receive(into: &buffer), 1)
        XCTAssertEqual(buffer[0], 7)
        let second = try StreamSocket.connect(host: "127.0.0.1", port: server.port, deadline: .now + .seconds(2))
        XCTAssertTrue(try second.waitReadable(until: .now + .seconds(2)))
        let n = try second.receive(into: &buffer)
        XCTAssertEqual(String(decoding: buffer[0..<n], as: UTF8.self), "busy")
        second.close()
        first.close()
        server.stop(waitingUpTo: .seconds(5))
        XCTAssertEqual(server.activeConnectionCount, 0)
        // A connection thread leaves the set just before it closes its socket.
        let settled = ContinuousClock.now + .seconds(1)
        while try openDescriptors() != before && ContinuousClock.now < settled { usleep(10_000) }
        XCTAssertEqual(try openDescriptors(), before, "the server left a descriptor open")
    }

    /// Out of descriptors: creating a socket throws and says so; accepting does not (the
    /// listener is fine), it pauses and returns nil, and the connection is taken once a
    /// descriptor is free again.
    func testOutOfDescriptorsPolicy() throws {
        let listener = try StreamSocket.listen(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        let client = try StreamSocket.connect(host: "127.0.0.1", port: try listener.localPort())
        defer { client.close() }
        XCTAssertTrue(try listener.waitReadable(until: .now + .seconds(2)))

        var saved = rlimit()
        XCTAssertEqual(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &saved), 0)
        // The lowest free descriptor number: with the limit there, the next one fails EMFILE.
        let probe = open("/dev/null", O_RDONLY)
        XCTAssertGreaterThanOrEqual(probe, 0)
        close(probe)
        var lowered = saved
        lowered.rlim_cur = rlim_t(probe)
        XCTAssertEqual(setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lowered), 0)
        let listenError: SocketError?
        let accepted: StreamSocket?
        do {
            defer { _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &saved) }
            accepted = try listener.accept()
            do {
                _ = try StreamSocket.listen(host: "127.0.0.1", port: 0)
                listenError = nil
            } catch {
                listenError = error
            }
        }
        XCTAssertNil(accepted, "accept out of descriptors returns nil instead of throwing")
        XCTAssertEqual(listenError?.isOutOfDescriptors, true, listenError?.description ?? "no error")
        let later = try XCTUnwrap(try listener.accept(), "the pending connection is taken once descriptors are free")
        later.close()
    }
}

/// `address:port` as the transport writes it (`[v6]:port` for IPv6).
private func SocketCalls_label(_ host: String, _ port: Int) -> String {
    host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
}
