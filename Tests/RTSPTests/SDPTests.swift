import MediaCore
import RTSP
import XCTest

/// SDPs as cameras and publishers send them, and the track formats they make.
final class SDPTests: XCTestCase {
    /// SPS/PPS of Tests/Fixtures/mp4/h264_aac.mp4 (MediaCoreTests' CodecFixtures).
    static let sps: [UInt8] = HexString.decode("6764000dacd94141fb011000000300100000030320f1429960")!
    static let pps: [UInt8] = HexString.decode("68ebe3cb22c0")!

    static func cameraSDP(spropSets: String? = nil, audioFirst: Bool = false) -> [UInt8] {
        let sets = spropSets ?? "\(Base64.encode(sps)),\(Base64.encode(pps))"
        let video = "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1;profile-level-id=64000D;sprop-parameter-sets=\(sets)\r\na=control:trackID=1\r\n"
        let audio = "m=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/48000/2\r\na=fmtp:97 streamtype=5;profile-level-id=1;mode=AAC-hbr;SizeLength=13;IndexLength=3;IndexDeltaLength=3;config=1190\r\na=control:trackID=2\r\n"
        let head = "v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=Session\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\na=control:*\r\n"
        return Array((head + (audioFirst ? audio + video : video + audio)).utf8)
    }

    func testCameraSDPMakesH264AndAACFormats() throws {
        let sdp = try SessionDescription(parsing: Self.cameraSDP())
        XCTAssertEqual(sdp.control, "*")
        XCTAssertEqual(sdp.media.count, 2)
        let video = try RTPTrackFormat(media: sdp.media[0])
        XCTAssertEqual(video.codec, .h264)
        XCTAssertEqual(video.clockRate, 90000)
        XCTAssertEqual(video.sampleDescription?.width, 320)
        XCTAssertEqual(video.sampleDescription?.height, 240)
        let audio = try RTPTrackFormat(media: sdp.media[1])
        XCTAssertEqual(audio.codec, .aac)
        XCTAssertEqual(audio.sampleDescription?.sampleRate, 48000)
        XCTAssertEqual(audio.sampleDescription?.channelCount, 2)
        XCTAssertEqual(audio.payload, .mpeg4Generic(sizeLength: 13, indexLength: 3, indexDeltaLength: 3))
    }

    func testMissingEmptyOrAnnexBSpropSets() throws {
        for sets in ["", ",", "AAAAAWdkAA2s2UFB+wEQAAADABAAAAMDIPFCmWA=,AAAAAWjr48siwA=="] {
            let sdp = try SessionDescription(parsing: Self.cameraSDP(spropSets: sets))
            let video = try RTPTrackFormat(media: sdp.media[0])
            XCTAssertEqual(video.codec, .h264)
            if sets.count > 2 {
                XCTAssertEqual(video.parameterSets, [Self.sps, Self.pps], "Annex B inside base64 split")
                XCTAssertNotNil(video.sampleDescription)
            } else {
                XCTAssertNil(video.sampleDescription, "waits for in-band sets")
            }
        }
    }

    func testStaticPayloadTypeWithoutRtpmapAndUnknownCodecsNamed() throws {
        let text = "v=0\r\nm=audio 0 RTP/AVP 0\r\nm=audio 0 RTP/AVP 8\r\nm=video 0 RTP/AVP 26\r\nm=audio 0 RTP/AVP 98\r\na=rtpmap:98 opus/48000/2\r\n"
        let sdp = try SessionDescription(parsing: Array(text.utf8))
        let mulaw = try RTPTrackFormat(media: sdp.media[0])
        XCTAssertEqual(mulaw.codec, .pcmMulaw)
        XCTAssertEqual(mulaw.sampleDescription?.sampleRate, 8000)
        XCTAssertEqual(try RTPTrackFormat(media: sdp.media[1]).codec, .pcmAlaw)
        XCTAssertThrowsError(try RTPTrackFormat(media: sdp.media[2])) { XCTAssertTrue("\($0)".contains("payload type 26")) }
        XCTAssertThrowsError(try RTPTrackFormat(media: sdp.media[3])) { XCTAssertTrue("\($0)".contains("opus")) }
    }

    func testLATMConfigAndH265Sprops() throws {
        // GStreamer's rtpmp4apay for 48 kHz stereo AAC LC.
        let latm = "v=0\r\nm=audio 0 RTP/AVP 96\r\na=rtpmap:96 MP4A-LATM/48000/2\r\na=fmtp:96 cpresent=0;config=400023203fc0\r\n"
        let format = try RTPTrackFormat(media: try SessionDescription(parsing: Array(latm.utf8)).media[0])
        XCTAssertEqual(format.codec, .aac)
        XCTAssertEqual(format.sampleDescription?.sampleRate, 48000)
        XCTAssertEqual(format.sampleDescription?.channelCount, 2)
        XCTAssertEqual(try LATMDepacketizer.audioSpecificConfig(streamMuxConfig: HexString.decode("400023203fc0")!), [0x11, 0x90])
    }

    func testMalformedLinesNameTheLine() {
        XCTAssertThrowsError(try SessionDescription(parsing: Array("v=0\r\nm=video\r\n".utf8))) {
            XCTAssertEqual($0 as? RTSPError, .malformedSDP(line: 2, reason: "m= needs media, port and proto"))
        }
        XCTAssertThrowsError(try SessionDescription(parsing: Array("v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:x\r\n".utf8)))
    }
}
