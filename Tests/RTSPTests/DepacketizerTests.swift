import Containers
import MediaCore
@testable import RTSP
import XCTest

/// RTP payload formats: every packetization a camera uses, and losses.
final class DepacketizerTests: XCTestCase {
    private func packet(_ payload: [UInt8], ts: UInt32, seq: UInt16 = 0, marker: Bool = false, pt: UInt8 = 96) -> RTPPacket {
        RTPPacket(marker: marker, payloadType: pt, sequenceNumber: seq, timestamp: ts, ssrc: 1, payload: payload[...])
    }

    private func units(_ out: [RTPAccessUnit]) -> [[[UInt8]]] { out.map { $0.units.map(Array.init) } }

    func testRTPPacketParsesCSRCExtensionAndPadding() throws {
        var bytes: [UInt8] = [0xB1, 0xE0, 0x12, 0x34, 0, 0, 0, 9, 0, 0, 0, 7]  // V2 P X CC=1, M, PT 96
        bytes += [1, 2, 3, 4]                      // CSRC
        bytes += [0xBE, 0xDE, 0, 1, 9, 9, 9, 9]    // extension of one word
        bytes += [0xAA, 0xBB, 0, 0, 3]            // payload then 3 bytes of padding
        let p = try RTPPacket(parsing: bytes)
        XCTAssertTrue(p.marker)
        XCTAssertEqual(p.payloadType, 96)
        XCTAssertEqual(p.sequenceNumber, 0x1234)
        XCTAssertEqual(p.timestamp, 9)
        XCTAssertEqual(Array(p.payload), [0xAA, 0xBB])
        XCTAssertThrowsError(try RTPPacket(parsing: [0x80, 0]))
        XCTAssertThrowsError(try RTPPacket(parsing: [0x40] + Array(repeating: 0, count: 11)))
    }

    func testH264SingleSTAPAAndFUA() throws {
        var d = NALDepacketizer(.h264)
        let sps: [UInt8] = [0x67, 1, 2], pps: [UInt8] = [0x68, 3], idr: [UInt8] = [0x65] + Array(repeating: 7, count: 10)
        var out = try d.push(packet([24, 0, 3] + sps + [0, 2] + pps, ts: 100))
        XCTAssertEqual(out.count, 0)
        out = try d.push(packet([0x7C, 0x85] + idr[1..<4], ts: 100))          // FU-A start
        out += try d.push(packet([0x7C, 0x05] + idr[4..<8], ts: 100))         // middle
        out += try d.push(packet([0x7C, 0x45] + idr[8...], ts: 100, marker: true))  // end
        XCTAssertEqual(units(out), [[sps, pps, idr]])
        XCTAssertEqual(out[0].rtpTimestamp, 100)
    }

    func testFUAWithStartAndEndSetAndMissingMarkerBits() throws {
        var d = NALDepacketizer(.h264)
        // Cameras that send one NAL unit as a single FU-A with S and E, and never set the marker.
        var out = try d.push(packet([0x7C, 0xC5, 1, 2], ts: 0))
        XCTAssertTrue(out.isEmpty)
        out = try d.push(packet([0x41, 9], ts: 3000))  // next timestamp: the first AU is complete
        XCTAssertEqual(units(out), [[[0x65, 1, 2]]])
        out = try d.push(packet([0x41, 8], ts: 6000))
        XCTAssertEqual(units(out), [[[0x41, 9]]])
    }

    func testLossDropsTheDamagedFrameOnly() throws {
        var d = NALDepacketizer(.h264)
        _ = try d.push(packet([0x7C, 0x85, 1], ts: 0))
        d.packetsLost()  // the FU-A's end is gone
        var out = try d.push(packet([0x7C, 0x45, 2], ts: 0, marker: true))
        XCTAssertTrue(out.isEmpty)
        out = try d.push(packet([0x41, 5], ts: 3000, marker: true))
        XCTAssertEqual(units(out), [[[0x41, 5]]])
        XCTAssertThrowsError(try d.push(packet([24, 0, 9, 1], ts: 6000)), "STAP-A size past the end")
    }

    func testH265AggregationAndFragmentation() throws {
        var d = NALDepacketizer(.h265)
        let vps: [UInt8] = [0x40, 0x01, 1], sps: [UInt8] = [0x42, 0x01, 2], pps: [UInt8] = [0x44, 0x01, 3]
        var out = try d.push(packet([0x60, 0x01, 0, 3] + vps + [0, 3] + sps + [0, 3] + pps, ts: 10))
        // IDR_W_RADL (19) in an FU: payload header type 49, FU header S|19.
        out += try d.push(packet([0x62, 0x01, 0x80 | 19, 0xAA], ts: 10))
        out += try d.push(packet([0x62, 0x01, 0x40 | 19, 0xBB], ts: 10, marker: true))
        XCTAssertEqual(units(out), [[vps, sps, pps, [0x26, 0x01, 0xAA, 0xBB]]])
        out = try d.push(packet([0x64, 0x01, 0, 0], ts: 20))  // PACI: skipped
        out += try d.push(packet([0x02, 0x01, 5], ts: 20, marker: true))
        XCTAssertEqual(units(out), [[[0x02, 0x01, 5]]])
    }

    func testMPEG4GenericSeveralAUsAndFragments() throws {
        var d = try MPEG4GenericDepacketizer(sizeLength: 13, indexLength: 3, indexDeltaLength: 3, frameDuration: 1024)
        // Two AU headers (16 bits each): sizes 2 and 3.
        let headers: [UInt8] = [0, 32, 0, 2 << 3, 0, 3 << 3]
        var out = try d.push(packet(headers + [1, 1, 2, 2, 2], ts: 5000, marker: true))
        XCTAssertEqual(units(out), [[[1, 1]], [[2, 2, 2]]])
        XCTAssertEqual(out.map(\.rtpTimestamp), [5000, 6024])
        // One AU of 5 bytes in two packets.
        out = try d.push(packet([0, 16, 0, 5 << 3, 7, 7, 7], ts: 7048))
        XCTAssertTrue(out.isEmpty)
        out = try d.push(packet([0, 16, 0, 5 << 3, 8, 8], ts: 7048, marker: true))
        XCTAssertEqual(units(out), [[[7, 7, 7, 8, 8]]])
        XCTAssertThrowsError(try d.push(packet([0, 32, 0, 2 << 3, 0, 9 << 3, 1, 1, 1], ts: 9000, marker: true)), "an AU past the packet's end")
    }

    /// Presentation times in decode order (I0 P3 B1 B2 P6 B4 B5 ...) get decode times that
    /// increase and never pass them, with the reorder delay the SPS declares (x264's SPS of the
    /// SDP says 2 frames; the stream needs 1).
    func testDecodeTimesForBFrames() throws {
        let sdp = try SessionDescription(parsing: SDPTests.cameraSDP())
        var assembler = try RTPStreamAssembler(tracks: [.init(trackID: 1, format: try RTPTrackFormat(media: sdp.media[0]))])
        _ = assembler.start()
        let order: [UInt32] = [0, 3, 1, 2, 6, 4, 5, 9, 7, 8]
        var frames: [MediaFrame] = []
        for (i, n) in order.enumerated() {
            let nal: [UInt8] = i == 0 ? [0x65, 0x88] : [0x41, 0x9A]
            let bytes = RTPPacket(marker: true, payloadType: 96, sequenceNumber: UInt16(i), timestamp: n * 3600, ssrc: 1, payload: nal[...]).serialized()
            frames += assembler.receiveRTP(bytes, track: 0, arrival: Double(i) * 0.04).compactMap(\.frame)
        }
        frames += assembler.finish().compactMap(\.frame)
        XCTAssertEqual(frames.map(\.pts), order.map { Int64($0) * 3600 })
        let depth = Int64(try XCTUnwrap(H264SequenceParameterSet(nalUnit: SDPTests.sps).vui?.maxNumReorderFrames))
        XCTAssertEqual(depth, 2)
        XCTAssertEqual(frames.map(\.dts), (0..<10).map { (Int64($0) - depth) * 3600 })
    }

    func testLATMElementsAndG711() throws {
        var d = LATMDepacketizer(frameDuration: 1024)
        let big = [UInt8](repeating: 4, count: 300)
        var out = try d.push(packet([255, 45] + big[..<100], ts: 0))
        XCTAssertTrue(out.isEmpty)
        out = try d.push(packet(Array(big[100...]), ts: 0, marker: true))
        XCTAssertEqual(units(out), [[big]])
        var g = G711Depacketizer()
        XCTAssertEqual(units(try g.push(packet([1, 2, 3], ts: 160, pt: 0))), [[[1, 2, 3]]])
    }
}
