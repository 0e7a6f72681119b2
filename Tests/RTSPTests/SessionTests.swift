import Containers
import MediaCore
@testable import RTSP
import XCTest

/// The client and server state machines, driven by scripted peers.
final class SessionTests: XCTestCase {
    private func sent(_ actions: [RTSPClientSession.Action]) -> RTSPMessage? {
        for case .send(let m) in actions { return m }
        return nil
    }

    func testClientThroughDigestRedirectSetupAndKeepalive() throws {
        var client = RTSPClientSession(url: try RTSPURL(parsing: "rtsp://admin:pa%24s@cam:554/live"), clientNonce: "cn")
        let options = try XCTUnwrap(sent(client.start()))
        XCTAssertEqual(options.method, "OPTIONS")
        XCTAssertEqual(options.uri, "rtsp://cam/live", "no credentials on the request line")
        // A camera that answers with a wrong CSeq.
        var out = try client.handle(.response(200, "OK", headers: [("CSeq", "99"), ("Public", "OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER")]), now: 0)
        let describe = try XCTUnwrap(sent(out))
        XCTAssertEqual(describe.method, "DESCRIBE")
        out = try client.handle(.response(401, "Unauthorized", headers: [("CSeq", "2"), ("WWW-Authenticate", #"Basic realm="cam""#),
                                                                          ("WWW-Authenticate", #"Digest realm="cam", nonce="N", qop="auth", algorithm=SHA-256"#)]), now: 0)
        let authorized = try XCTUnwrap(sent(out))
        XCTAssertEqual(authorized.method, "DESCRIBE")
        let authorization = try XCTUnwrap(authorized["Authorization"])
        XCTAssertTrue(authorization.hasPrefix("Digest "))
        XCTAssertTrue(RTSPCredentials(user: "admin", password: "pa$s").verifies(
            authorization, method: "DESCRIBE",
            challenges: [AuthenticationChallenge(scheme: "digest", parameters: ["realm": "cam", "nonce": "N", "qop": "auth", "algorithm": "SHA-256"])]))
        // Audio m-line first, Content-Base with a trailing slash.
        out = try client.handle(.response(200, "OK", headers: [("CSeq", "3"), ("Content-Base", "rtsp://cam/live/")],
                                          body: SDPTests.cameraSDP(audioFirst: true)), now: 0)
        XCTAssertEqual(client.tracks.map(\.format.codec), [.aac, .h264])
        let setup1 = try XCTUnwrap(sent(out))
        XCTAssertEqual(setup1.uri, "rtsp://cam/live/trackID=2")
        XCTAssertNotNil(setup1["Authorization"], "credentials stay on later requests")
        // The server picks other interleaved channels and a short timeout.
        out = try client.handle(.response(200, "OK", headers: [("CSeq", "4"), ("Session", "S1;timeout=20"), ("Transport", "RTP/AVP/TCP;unicast;interleaved=6-7")]), now: 0)
        let setup2 = try XCTUnwrap(sent(out))
        XCTAssertEqual(setup2.uri, "rtsp://cam/live/trackID=1")
        XCTAssertEqual(setup2["Session"], "S1")
        out = try client.handle(.response(200, "OK", headers: [("CSeq", "5"), ("Session", "S1"), ("Transport", "RTP/AVP/TCP;unicast;interleaved=2-3")]), now: 0)
        let play = try XCTUnwrap(sent(out))
        XCTAssertEqual(play.method, "PLAY")
        XCTAssertEqual(play.uri, "rtsp://cam/live/", "the aggregate URL: Content-Base, as ffmpeg and live555 send it")
        out = try client.handle(.response(200, "OK", headers: [("CSeq", "6")]), now: 100)
        XCTAssertEqual(out, [.playing])
        XCTAssertEqual(client.track(forChannel: 6)?.index, 0)
        XCTAssertEqual(client.track(forChannel: 7)?.isRTCP, true)
        XCTAssertEqual(client.track(forChannel: 2)?.index, 1)
        XCTAssertTrue(client.tick(now: 105).isEmpty)
        let keepalive = try XCTUnwrap(sent(client.tick(now: 110.5)))
        XCTAssertEqual(keepalive.method, "GET_PARAMETER", "at timeout 20 s minus the margin")
        // The camera never answers keepalives: the next one still goes out.
        XCTAssertNotNil(sent(client.tick(now: 121)))
    }

    func testRedirectsAndFailures() throws {
        var client = RTSPClientSession(url: try RTSPURL(parsing: "rtsp://cam/a"), clientNonce: "x")
        _ = client.start()
        XCTAssertEqual(try client.handle(.response(302, "Moved", headers: [("CSeq", "1"), ("Location", "rtsp://other/b")]), now: 0),
                       [.redirect("rtsp://other/b")])
        var noCredentials = RTSPClientSession(url: try RTSPURL(parsing: "rtsp://cam/a"), clientNonce: "x")
        _ = noCredentials.start()
        XCTAssertThrowsError(try noCredentials.handle(.response(401, "Unauthorized", headers: [("WWW-Authenticate", "Basic realm=x")]), now: 0))
        var notFound = RTSPClientSession(url: try RTSPURL(parsing: "rtsp://cam/a"), clientNonce: "x")
        _ = notFound.start()
        XCTAssertThrowsError(try notFound.handle(.response(404, "Not Found"), now: 0)) {
            XCTAssertEqual($0 as? RTSPError, .requestFailed(method: "OPTIONS", status: 404, reason: "Not Found"))
        }
    }

    func testUDPFallsBackToTCPOn461() throws {
        var client = RTSPClientSession(url: try RTSPURL(parsing: "rtsp://cam/a"), transport: .udp, clientNonce: "x")
        _ = client.start()
        _ = try client.handle(.response(200, "OK"), now: 0)
        let out = try client.handle(.response(200, "OK", body: SDPTests.cameraSDP()), now: 0)
        XCTAssertEqual(out, [.needUDPPorts(trackCount: 2)])
        let setup = try XCTUnwrap(sent(client.useUDPPorts([5000...5001, 5002...5003])))
        XCTAssertTrue(setup["Transport"]!.contains("client_port=5000-5001"))
        let retry = try XCTUnwrap(sent(try client.handle(.response(461, "Unsupported Transport"), now: 0)))
        XCTAssertTrue(retry["Transport"]!.contains("RTP/AVP/TCP"))
        XCTAssertEqual(client.transport, .tcp)
    }

    func testServerAnnounceSetupRecordWithCredentials() throws {
        var server = RTSPServerSession(sessionID: "S", credentials: RTSPCredentials(user: "u", password: "p"), nonce: "N")
        let uri = "rtsp://127.0.0.1:5544/live/cam7"
        let announce = RTSPMessage.request("ANNOUNCE", uri, headers: [("CSeq", "2")], body: SDPTests.cameraSDP())
        var (response, event) = server.handle(announce) { _ in nil }
        XCTAssertEqual(response.status, 401)
        XCTAssertEqual(response.values("WWW-Authenticate").count, 2)
        let challenge = try XCTUnwrap(RTSPCredentials.preferredChallenge(response.values("WWW-Authenticate")))
        var client = RTSPCredentials(user: "u", password: "p")
        func authorized(_ m: RTSPMessage) -> RTSPMessage {
            var m = m
            m.headers.append(("Authorization", client.authorization(for: challenge, method: m.method!, uri: m.uri!, cnonce: "c")!))
            return m
        }
        (response, event) = server.handle(authorized(announce)) { _ in nil }
        XCTAssertEqual(response.status, 200)
        guard case let .announced(name, tracks, skipped)? = event else { return XCTFail("\(String(describing: event))") }
        XCTAssertEqual(name, "cam7")
        XCTAssertEqual(tracks.map(\.format.codec), [.h264, .aac])
        XCTAssertEqual(skipped, [])
        (response, _) = server.handle(authorized(.request("SETUP", uri + "/trackID=2", headers: [("CSeq", "3"), ("Transport", "RTP/AVP;unicast;client_port=7000-7001;mode=record")]))) { _ in 9000...9001 }
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response["Transport"]!.contains("server_port=9000-9001"))
        (response, _) = server.handle(authorized(.request("SETUP", uri + "/trackID=1", headers: [("CSeq", "4"), ("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record")]))) { _ in nil }
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(server.track(forChannel: 0)?.index, 0)
        (response, event) = server.handle(authorized(.request("RECORD", uri, headers: [("CSeq", "5")]))) { _ in nil }
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(event, .recording)
        client.password = "wrong"
        (response, _) = server.handle(authorized(.request("RECORD", uri, headers: [("CSeq", "6")]))) { _ in nil }
        XCTAssertEqual(response.status, 401)
    }

    func testAssemblerUnwrapsTimestampsAndWaitsForAKeyframe() throws {
        let sdp = try SessionDescription(parsing: SDPTests.cameraSDP(spropSets: ""))
        var assembler = try RTPStreamAssembler(tracks: [.init(trackID: 1, format: try RTPTrackFormat(media: sdp.media[0]))])
        XCTAssertEqual(assembler.start(), [], "no parameter sets yet")
        func rtp(_ payload: [UInt8], ts: UInt32, seq: UInt16) -> [UInt8] {
            RTPPacket(marker: true, payloadType: 96, sequenceNumber: seq, timestamp: ts, ssrc: 5, payload: payload[...]).serialized()
        }
        var events = assembler.receiveRTP(rtp([0x41, 1], ts: UInt32.max - 2999, seq: 65535), track: 0, arrival: 10)
        XCTAssertEqual(events, [], "a P-frame before any keyframe is dropped")
        let stap: [UInt8] = [24, 0, UInt8(SDPTests.sps.count)] + SDPTests.sps + [0, UInt8(SDPTests.pps.count)] + SDPTests.pps + [0, 3, 0x65, 0x88, 0x80]
        events = assembler.receiveRTP(rtp(stap, ts: 0xFFFF_FFFF - 2999 &+ 3000, seq: 0), track: 0, arrival: 10.04)
        guard case .track(let track)? = events.first else { return XCTFail("\(events)") }
        XCTAssertEqual(track.sampleDescriptions.first?.width, 320)
        events = assembler.receiveRTP(rtp([0x41, 2], ts: 3000, seq: 1), track: 0, arrival: 10.08)
        events += assembler.finish()
        let frames = events.compactMap(\.frame)
        XCTAssertEqual(frames.count, 2)
        XCTAssertTrue(frames[0].isKeyframe)
        XCTAssertEqual(frames[1].pts - frames[0].pts, 3000, "the 32-bit wrap reads as one frame forward")
        // The SPS (x264's, with B-frames) declares a reorder depth: decode times run that many
        // frame steps before presentation times from the first frame on, as in the source file.
        let depth = try XCTUnwrap(H264SequenceParameterSet(nalUnit: SDPTests.sps).vui?.maxNumReorderFrames)
        XCTAssertEqual(frames.map { $0.pts - $0.dts }, [Int64(depth) * 3000, Int64(depth) * 3000], "dts = pts - the declared reorder delay")
        XCTAssertLessThan(frames[0].dts, frames[1].dts)
    }

    /// Jumps of a camera's RTP clock follow the policy of every ingest: back by more than 0.5 s
    /// or forward by more than 5 s, the track continues one frame after its latest frame with a
    /// `.discontinuity`; smaller steps (lost packets) stay as they are.
    func testClockJumpsContinueOneFrameOn() throws {
        let head = "v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=S\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\na=control:trackID=1\r\n"
        let sdp = try SessionDescription(parsing: Array(head.utf8))
        var assembler = try RTPStreamAssembler(tracks: [.init(trackID: 1, format: try RTPTrackFormat(media: sdp.media[0]))])
        var events = assembler.start()
        // 20 ms packets; a 1 s loss (kept), 2 s back (a jump), 8 s forward (a jump).
        let times: [UInt32] = [80_000, 80_160, 80_320, 88_320, 88_480, 72_480, 72_640, 136_640, 136_800]
        for (i, ts) in times.enumerated() {
            let packet = RTPPacket(marker: false, payloadType: 0, sequenceNumber: UInt16(i), timestamp: ts, ssrc: 1, payload: [0xFF, 0xFF][...])
            events += assembler.receiveRTP(packet.serialized(), track: 0, arrival: Double(i) * 0.02)
        }
        let frames = events.compactMap(\.frame).map(\.dts)
        XCTAssertEqual(frames, [0, 160, 320, 8320, 8480, 8640, 8800, 8960, 9120])
        let jumps = events.compactMap { event -> TimestampDiscontinuity? in
            if case .discontinuity(let jump) = event { return jump } else { return nil }
        }
        XCTAssertEqual(jumps.map(\.cause), [.backward, .forward])
    }
}
