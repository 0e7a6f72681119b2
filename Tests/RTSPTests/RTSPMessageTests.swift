import RTSP
import XCTest

/// The RTSP byte stream: messages, interleaved frames, junk, limits.
final class RTSPMessageTests: XCTestCase {
    private func decodeAll(_ bytes: [UInt8], pieces: Int = 1) throws -> [RTSPStreamItem] {
        var decoder = RTSPStreamDecoder()
        var items: [RTSPStreamItem] = []
        let step = max(1, bytes.count / pieces)
        var offset = 0
        while offset < bytes.count {
            decoder.push(bytes[offset..<min(bytes.count, offset + step)])
            offset += step
            while let item = try decoder.next() { items.append(item) }
        }
        return items
    }

    func testResponsesInterleavedFramesAndJunkMix() throws {
        let response = RTSPMessage.response(200, "OK", headers: [("CSeq", "3"), ("Session", "ABCD;timeout=20")], body: Array("x=1".utf8))
        var bytes: [UInt8] = [0x24, 0, 0, 3, 1, 2, 3]
        bytes += [0, 0, 0x0D, 0x0A]  // junk cameras pad with
        bytes += response.serialized()
        bytes += [0x24, 1, 0, 2, 9, 9]
        for pieces in [1, 3, 7, bytes.count] {
            let items = try decodeAll(bytes, pieces: pieces)
            XCTAssertEqual(items.count, 3, "pieces \(pieces)")
            XCTAssertEqual(items[0], .interleaved(channel: 0, payload: [1, 2, 3]))
            guard case .message(let m) = items[1] else { return XCTFail("no message") }
            XCTAssertEqual(m.status, 200)
            XCTAssertEqual(m.cseq, 3)
            XCTAssertEqual(m.sessionID, "ABCD")
            XCTAssertEqual(m.sessionTimeout, 20)
            XCTAssertEqual(m.body, Array("x=1".utf8))
            XCTAssertEqual(items[2], .interleaved(channel: 1, payload: [9, 9]))
        }
    }

    func testBareLineFeedsAndFoldedHeadersAndRequests() throws {
        let text = "ANNOUNCE rtsp://h/live/cam RTSP/1.0\nCSeq: 2\nX-Long: a\n  b\nContent-Type: application/sdp\n\n"
        let items = try decodeAll(Array(text.utf8))
        guard case .message(let m) = items.first else { return XCTFail() }
        XCTAssertEqual(m.method, "ANNOUNCE")
        XCTAssertEqual(m.uri, "rtsp://h/live/cam")
        XCTAssertEqual(m["x-long"], "a b")
        XCTAssertEqual(m["content-type"], "application/sdp")
    }

    func testWrongCSeqIsNilNotAnError() throws {
        let items = try decodeAll(Array("RTSP/1.0 200 OK\r\nCSeq: abc\r\n\r\n".utf8))
        guard case .message(let m) = items.first else { return XCTFail() }
        XCTAssertNil(m.cseq)
    }

    func testLimitsBoundWhatIsBuffered() {
        var decoder = RTSPStreamDecoder()
        decoder.push(Array("RTSP/1.0 200 OK\r\n".utf8) + Array(repeating: UInt8(ascii: "a"), count: 20_000))
        XCTAssertThrowsError(try decoder.next())
        var body = RTSPStreamDecoder()
        body.push(Array("RTSP/1.0 200 OK\r\nContent-Length: 999999999\r\n\r\n".utf8))
        XCTAssertThrowsError(try body.next())
    }

    func testRoundTrip() throws {
        let request = RTSPMessage.request("SETUP", "rtsp://h/a/trackID=1", headers: [("CSeq", "4"), ("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1")])
        let items = try decodeAll(request.serialized())
        XCTAssertEqual(items, [.message(request)])
    }

    func testURLsCredentialsAndControls() throws {
        let url = try RTSPURL(parsing: "rtsp://ad%40min:p%3Ass@cam.local:8554/Streaming/Channels/101?transport=tcp")
        XCTAssertEqual(url.user, "ad@min")
        XCTAssertEqual(url.password, "p:ss")
        XCTAssertEqual(url.port, 8554)
        XCTAssertEqual(url.description, "rtsp://cam.local:8554/Streaming/Channels/101?transport=tcp")
        XCTAssertEqual(try RTSPURL(parsing: "rtsp://h/live/cam1").lastPathSegment, "cam1")
        XCTAssertEqual(try RTSPURL(parsing: "rtsp://h").port, 554)
        XCTAssertThrowsError(try RTSPURL(parsing: "http://h/x"))
        XCTAssertThrowsError(try RTSPURL(parsing: "rtsp://h:99999/x"))
        XCTAssertEqual(RTSPURL.resolve(control: "trackID=1", base: "rtsp://h/s/"), "rtsp://h/s/trackID=1")
        XCTAssertEqual(RTSPURL.resolve(control: "trackID=1", base: "rtsp://h/s"), "rtsp://h/s/trackID=1")
        XCTAssertEqual(RTSPURL.resolve(control: "rtsp://u:p@h/s/t1", base: "rtsp://h/s/"), "rtsp://h/s/t1")
        XCTAssertEqual(RTSPURL.resolve(control: "*", base: "rtsp://h/s/"), "rtsp://h/s/")
    }

    func testTransportHeader() throws {
        let t = try XCTUnwrap(RTSPTransport(parsing: "RTP/AVP/TCP;unicast;interleaved=4-5;ssrc=1A2B;mode=\"RECORD\""))
        XCTAssertTrue(t.isTCP)
        XCTAssertEqual(t.interleaved, 4...5)
        XCTAssertEqual(t.mode, "record")
        let u = try XCTUnwrap(RTSPTransport(parsing: "RTP/AVP;unicast;client_port=5000-5001;server_port=6000-6001"))
        XCTAssertFalse(u.isTCP)
        XCTAssertEqual(u.clientPorts, 5000...5001)
        XCTAssertEqual(u.serverPorts, 6000...6001)
        XCTAssertNil(RTSPTransport(parsing: "RAW/RAW/UDP;unicast"))
    }
}
