import Containers
import Foundation
import MediaCore
@testable import Recorder
import Synchronization
import TestSupport
import XCTest

/// `StreamReader`'s `tcp://` input (`recorder record --input tcp://HOST:PORT`) listens through
/// the one ingest listener: it reads the first sender to its close, exactly as the same bytes
/// read from a file; a second sender meanwhile is closed at once (MPEG-TS over TCP's "busy"
/// policy), and no descriptor outlives the read.
final class StreamReaderTCPTests: XCTestCase {
    static let fixture = "ts/h264_aac.ts"

    private func openDescriptors() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
    }

    func testTheFirstSenderIsReadWholeASecondIsClosedAtOnceAndNoDescriptorIsLeft() throws {
        let path = TestPaths.fixture(Self.fixture)
        var expected: [DemuxEvent] = []
        var fromFile = StreamReader(input: .file(path))
        try fromFile.run { expected.append($0) }
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: path))

        let before = try openDescriptors()
        let port = Mutex<UInt16?>(nil)
        let listening = DispatchSemaphore(value: 0)
        let received = Mutex<[DemuxEvent]>([])
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            var reader = StreamReader(input: .tcp(host: "127.0.0.1", port: 0))
            reader.silence = 10
            reader.onListening = { bound in
                port.withLock { $0 = bound }
                listening.signal()
            }
            do {
                try reader.run { event in received.withLock { $0.append(event) } }
            } catch {
                XCTFail("the reader failed: \(error)")
            }
            finished.signal()
        }
        thread.start()
        XCTAssertEqual(listening.wait(timeout: .now() + 10), .success)
        let bound = Int(try XCTUnwrap(port.withLock { $0 }))

        let sender = try StreamSocket.connect(host: "127.0.0.1", port: bound)
        try sender.writeAll(Array(bytes.prefix(bytes.count / 2)))
        // A second sender while the first is read: closed without a byte.
        let second = try StreamSocket.connect(host: "127.0.0.1", port: bound)
        var scratch = [UInt8](repeating: 0, count: 64)
        let answer = second.read(into: &scratch, deadline: .now + .seconds(5))
        second.close()
        switch answer {
        case .success(.endOfStream), .failure: break  // closed (or reset) at once
        case .success(let other): XCTFail("a second sender was not closed at once: \(other)")
        }
        try sender.writeAll(Array(bytes.dropFirst(bytes.count / 2)))
        sender.close()

        XCTAssertEqual(finished.wait(timeout: .now() + 20), .success, "the reader ends when the sender closes")
        XCTAssertEqual(received.withLock { $0 }, expected, "the sender's stream is read as the same bytes from a file")
        XCTAssertEqual(try openDescriptors(), before, "the listener, the connections and their threads' sockets are all closed")
    }

    func testAStopWhileNoSenderCameClosesThePort() throws {
        let before = try openDescriptors()
        let stop = Mutex(false)
        let port = Mutex<UInt16?>(nil)
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            var reader = StreamReader(input: .tcp(host: "127.0.0.1", port: 0))
            reader.shouldStop = { stop.withLock { $0 } }
            reader.onListening = { bound in port.withLock { $0 = bound } }
            do {
                try reader.run { _ in XCTFail("no sender, no event") }
            } catch {
                XCTFail("the reader failed: \(error)")
            }
            finished.signal()
        }
        thread.start()
        Thread.sleep(forTimeInterval: 0.3)
        stop.withLock { $0 = true }
        XCTAssertEqual(finished.wait(timeout: .now() + 15), .success)
        let bound = Int(try XCTUnwrap(port.withLock { $0 }))
        XCTAssertThrowsError(try StreamSocket.connect(host: "127.0.0.1", port: bound), "the port is closed once the reader returns")
        XCTAssertEqual(try openDescriptors(), before)
    }
}
