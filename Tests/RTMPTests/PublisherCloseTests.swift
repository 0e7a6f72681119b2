import Containers
import Foundation
import RTMP
import Recorder
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Publishers end abruptly: ffmpeg sends FCUnpublish and deleteStream and closes its socket at
/// once, reading nothing. On Linux, closing a socket with unread bytes resets the connection,
/// and the reset drops whatever the closer had not yet sent. The server must therefore send
/// such clients nothing they did not ask for, and read everything that arrived before a reset.
final class PublisherCloseTests: XCTestCase {
    /// A client that announced no acknowledgement window (as ffmpeg does) is sent nothing while
    /// it publishes megabytes: no acknowledgement it would leave unread.
    func testNothingIsSentToAPublisherThatAnnouncedNoWindow() throws {
        try FFmpegCheck.require()
        let harness = try IngestHarness()
        defer { harness.stop() }
        let tags = try ClientScript.tags(TestPaths.fixture("flv/h264_aac.flv"))
        let publisher = try TestPublisher(port: harness.port)
        defer { publisher.close() }
        XCTAssertEqual(try publisher.publish("quiet").arguments.first?["code"]?.string, "NetStream.Publish.Start")
        let (sent, _) = try publisher.sendLooped(tags, times: 40)
        XCTAssertGreaterThan(sent, 2 * 2_500_000, "more than two of the windows the server announced")
        XCTAssertEqual(try publisher.bytesAvailable(within: .milliseconds(500)), 0, "the server sent something unasked")
        try publisher.unpublish("quiet")
        harness.waitUntilEnded("quiet")
    }

    /// A client that asked for acknowledgements every 1000 bytes sends 40 loops of the fixture
    /// and its unpublish, then closes without reading them: the reset reaches the server while
    /// much of the stream still waits in its receive queue. All of it is recorded, and the
    /// unpublish too.
    func testEverythingSentBeforeAResetIsRecorded() throws {
        try FFmpegCheck.require()
        let harness = try IngestHarness()
        defer { harness.stop() }
        let source = TestPaths.fixture("flv/h264_aac.flv")
        let tags = try ClientScript.tags(source)
        let paths = try harness.record("reset", types: [.flv])
        let publisher = try TestPublisher(port: harness.port)
        XCTAssertEqual(try publisher.publish("reset").arguments.first?["code"]?.string, "NetStream.Publish.Start")
        try publisher.send(ProtocolControlMessage.windowAcknowledgementSize(1000).message, chunkStreamID: 2)
        let (_, frames) = try publisher.sendLooped(tags, times: 40)
        try publisher.unpublish("reset")
        // Everything is in the server's receive queue once our send queue is empty; closing
        // then, with the acknowledgements unread, resets the connection without losing any.
        XCTAssertTrue(publisher.waitUntilSent(timeout: .seconds(10)))
        publisher.close()
        harness.waitUntilEnded("reset")
        XCTAssertTrue(harness.log.all.contains { $0.contains("rtmpUnpublish") && $0.contains(#""stream":"reset""#) },
                      "\(harness.log.all.suffix(4))")
        let counted = try ExternalTool.run("ffprobe", ["-v", "error", "-count_packets", "-show_entries", "stream=codec_type,nb_read_packets",
                                                       "-of", "csv=p=0", paths[0]])
        XCTAssertEqual(counted.stdout.split(separator: "\n").sorted(), ["audio,\(frames.audio)", "video,\(frames.video)"], counted.stderr)
        XCTAssertEqual(try FFmpegCheck.complaints(paths[0]), "")
    }
}

extension TestPublisher {
    /// `tags` sent once, then their frames `times - 1` times more, each loop's timestamps after
    /// the previous one's; the bytes of media sent and the audio and video frames among them.
    func sendLooped(_ tags: [FLVTag], times: Int) throws -> (bytes: Int, frames: (audio: Int, video: Int)) {
        let media = tags.filter { $0.kind != .scriptData }
        let frames = media.filter(Self.isFrame)
        let loopDuration = (frames.map(\.timestamp).max() ?? 0) + 40
        try send(tags)
        for loop in 1..<times {
            try send(frames, offset: UInt32(loop) * loopDuration)
        }
        let bytes = media.reduce(0) { $0 + $1.body.count } + (times - 1) * frames.reduce(0) { $0 + $1.body.count }
        return (bytes, (frames.filter { $0.kind == .audio }.count * times, frames.filter { $0.kind == .video }.count * times))
    }

    /// An AVC NAL unit or a raw AAC frame: packet type 1 after the codec byte (FLV 10.1,
    /// E.4.2/E.4.3), not a sequence header (0) or an end of sequence (2).
    static func isFrame(_ tag: FLVTag) -> Bool {
        guard tag.body.count >= 2, tag.body[1] == 1 else { return false }
        return tag.kind == .video ? tag.body[0] & 0x0F == 7 : tag.kind == .audio && tag.body[0] >> 4 == 10
    }

    /// Bytes the server has sent that wait to be read, after waiting up to `timeout` for any.
    func bytesAvailable(within timeout: Duration) throws -> Int {
        var descriptor = pollfd(fd: socket.rawValue, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        guard ready > 0 else { return 0 }
        var count: Int32 = 0
        _ = ioctl(socket.rawValue, UInt(FIONREAD), &count)
        return Int(count)
    }

    /// Waits until the kernel has handed all we wrote to the peer (SIOCOUTQ, which is
    /// TIOCOUTQ, reads 0): on loopback, it is then in the server's receive queue.
    func waitUntilSent(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var unsent: Int32 = 0
            guard ioctl(socket.rawValue, UInt(TIOCOUTQ), &unsent) == 0 else { return false }
            if unsent == 0 { return true }
            usleep(1_000)
        }
        return false
    }
}
