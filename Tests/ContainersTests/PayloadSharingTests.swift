import Containers
import MediaCore
import TestSupport
import XCTest

/// The copy count of docs/architecture.md ("Payload copies, socket to .mdat"): a demuxer hands
/// out each frame's payload as a slice of the buffer it parsed (an RTMP message or FLV tag
/// body, a reassembled PES), not as a copy. Checked by where the bytes live: the frame's
/// payload pointer falls inside that buffer.
final class PayloadSharingTests: XCTestCase {
    /// Whether `slice`'s bytes lie inside `buffer`'s storage at `offset`.
    private func lies(_ slice: ArraySlice<UInt8>, in buffer: [UInt8], at offset: Int) -> Bool {
        buffer.withUnsafeBufferPointer { whole in
            slice.withUnsafeBufferPointer { part in part.baseAddress == whole.baseAddress! + offset }
        }
    }

    func testAnFLVTagBodysFramesAreSlicesOfTheBody() throws {
        var reader = FLVReader()
        reader.push(try readFile(TestPaths.fixture("flv/h264_aac.flv")))
        var demuxer = FLVTagDemuxer()
        var video = 0, audio = 0
        while let (tag, _) = try reader.nextTag() {
            let body = tag.body
            for case .frame(let frame) in try demuxer.demuxArriving(tag.kind, timestamp: tag.timestamp, body: body) {
                // Legacy H.264: 5 bytes of FrameType, AVCPacketType and CompositionTime; AAC: 2.
                let header = tag.kind == .video ? 5 : 2
                XCTAssertEqual(frame.payload.startIndex, header)
                XCTAssertEqual(frame.payload.count, body.count - header)
                XCTAssertTrue(lies(frame.payload, in: body, at: header), "the frame's payload is the body's bytes, not a copy")
                if tag.kind == .video { video += 1 } else { audio += 1 }
            }
        }
        XCTAssertGreaterThan(video, 10)
        XCTAssertGreaterThan(audio, 10)
    }

    func testTSAudioFramesOfOnePESAreSlicesOfIt() throws {
        // ffmpeg's muxer puts several ADTS frames in one PES: their payloads follow each other
        // in the one buffer, 7 bytes of ADTS header apart, with no copy of their own.
        let (result, _) = readTS(try readFile(TestPaths.fixture("ts/h264_aac.ts")))
        let audio = result.frames(track: ContainerTrackID.audio)
        XCTAssertGreaterThan(audio.count, 10)
        var adjacent = 0
        for (a, b) in zip(audio, audio.dropFirst()) {
            let gap = a.payload.withUnsafeBufferPointer { first in
                b.payload.withUnsafeBufferPointer { second in second.baseAddress! - first.baseAddress! }
            }
            if gap == a.payload.count + 7 { adjacent += 1 }
        }
        XCTAssertGreaterThan(adjacent, audio.count / 3, "frames of one PES share its storage")
        XCTAssertTrue(audio.allSatisfy { $0.payload.startIndex > 0 }, "each frame is a slice past its PES header, not an array of its own")
    }
}
