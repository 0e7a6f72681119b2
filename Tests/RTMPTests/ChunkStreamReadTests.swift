import Containers
import MediaCore
import RTMP
import XCTest

/// A socket read lands straight in the chunk decoder's buffer (`push(upTo:from:)`, no copy on
/// the way in): whatever the reads' sizes, the messages are the ones sent.
final class ChunkStreamReadTests: XCTestCase {
    func testReadsOfAnySizeIntoTheDecoderGiveTheMessagesSent() throws {
        var encoder = ChunkStreamEncoder()
        let payloads = (0..<5).map { n in (0..<(97 * n + 300)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ n) } }
        var stream: [UInt8] = []
        for (n, payload) in payloads.enumerated() {
            stream += encoder.encode(RTMPMessage(type: .video, timestamp: UInt32(40 * n), streamID: 1, payload: payload), chunkStreamID: 6)
        }
        for readSize in [1, 7, 100, 129, 4096] {
            var decoder = ChunkStreamDecoder()
            var fed = 0
            var received: [[UInt8]] = []
            while fed < stream.count {
                let count = min(readSize, stream.count - fed)
                let outcome = decoder.push(upTo: readSize) { buffer in
                    buffer.copyBytes(from: stream[fed..<(fed + count)])
                    return (count, count)
                }
                XCTAssertEqual(outcome, count)
                fed += count
                while let message = try decoder.next() { received.append(message.payload) }
            }
            XCTAssertEqual(received, payloads, "reads of \(readSize) bytes")
            XCTAssertEqual(decoder.pendingByteCount, 0)
        }
    }
}
