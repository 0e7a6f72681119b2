import MediaCore
import XCTest
@testable import ISOBMFF

final class ElementaryStreamDescriptorTests: XCTestCase {
    /// The esds body of the fixtures (after version and flags), as ffmpeg writes it.
    static let ffmpegESDescriptor: [UInt8] = [
        0x03, 0x80, 0x80, 0x80, 0x25, 0x00, 0x02, 0x00,
        0x04, 0x80, 0x80, 0x80, 0x17, 0x40, 0x15, 0x00, 0x00, 0x00, 0x00, 0x01, 0x78, 0x60, 0x00, 0x01, 0x78, 0x60,
        0x05, 0x80, 0x80, 0x80, 0x05, 0x11, 0x90, 0x56, 0xE5, 0x00,
        0x06, 0x80, 0x80, 0x80, 0x01, 0x02,
    ]

    private func parse(_ bytes: [UInt8]) throws(MP4ParseError) -> ElementaryStreamDescriptor {
        var reader = ByteReader(bytes)
        return try ElementaryStreamDescriptor(reading: &reader, in: "esds")
    }

    func testFFmpegDescriptor() throws {
        let descriptor = try parse(Self.ffmpegESDescriptor)
        XCTAssertEqual(descriptor.esID, 2)
        XCTAssertEqual(descriptor.objectTypeIndication, ElementaryStreamDescriptor.mpeg4Audio)
        XCTAssertEqual(descriptor.streamType, ElementaryStreamDescriptor.audioStream)
        XCTAssertFalse(descriptor.upStream)
        XCTAssertEqual(descriptor.bufferSizeDB, 0)
        XCTAssertEqual(descriptor.maxBitrate, 96352)
        XCTAssertEqual(descriptor.averageBitrate, 96352)
        XCTAssertEqual(descriptor.decoderSpecificInfo, [0x11, 0x90, 0x56, 0xE5, 0x00])
        XCTAssertEqual(descriptor.slConfigPredefined, 2)
        var writer = ByteWriter()
        descriptor.write(to: &writer)
        XCTAssertEqual(writer.bytes, Self.ffmpegESDescriptor)
        XCTAssertEqual(descriptor.encodedSize, Self.ffmpegESDescriptor.count)
    }

    func testBuiltDescriptorMatchesFFmpeg() {
        let built = ElementaryStreamDescriptor(audioSpecificConfig: [0x11, 0x90, 0x56, 0xE5, 0x00], esID: 2,
                                               maxBitrate: 96352, averageBitrate: 96352)
        var writer = ByteWriter()
        built.write(to: &writer)
        XCTAssertEqual(writer.bytes, Self.ffmpegESDescriptor)
    }

    func testShortSizeFormsAndOptionalFields() throws {
        // One-byte sizes, all three optional ES fields, a profile-level descriptor (tag 0x14)
        // inside the decoder config and an unknown descriptor after the SL config.
        let bytes: [UInt8] = [
            0x03, 0x26, 0x00, 0x01, 0xE3, 0x00, 0x07, 0x03, 0x61, 0x62, 0x63, 0x00, 0x09,
            0x04, 0x13, 0x40, 0x17, 0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x0F, 0xA0,
            0x05, 0x02, 0x12, 0x10,
            0x14, 0x00,
            0x06, 0x01, 0x02,
            0x0A, 0x01, 0xFF,
        ]
        let descriptor = try parse(bytes)
        XCTAssertEqual(descriptor.esID, 1)
        XCTAssertEqual(descriptor.streamPriority, 3)
        XCTAssertEqual(descriptor.dependsOnESID, 7)
        XCTAssertEqual(descriptor.url, Array("abc".utf8))
        XCTAssertEqual(descriptor.ocrESID, 9)
        XCTAssertTrue(descriptor.upStream)
        XCTAssertEqual(descriptor.bufferSizeDB, 0x1000)
        XCTAssertEqual(descriptor.maxBitrate, 0x1000)
        XCTAssertEqual(descriptor.averageBitrate, 4000)
        XCTAssertEqual(descriptor.decoderSpecificInfo, [0x12, 0x10])
        // Written back in the 4-byte size form without the unmodelled descriptors; reads the same.
        var writer = ByteWriter()
        descriptor.write(to: &writer)
        XCTAssertEqual(writer.count, descriptor.encodedSize)
        XCTAssertEqual(try parse(writer.bytes), descriptor)
    }

    func testMalformedDescriptors() {
        XCTAssertThrowsMP4Error(.invalidValue("esds", reason: "expected descriptor tag 0x03, found 0x04", at: 0)) {
            try parse([0x04, 0x00])
        }
        XCTAssertThrowsMP4Error(.invalidValue("esds", reason: "descriptor size runs past 4 bytes", at: 0)) {
            try parse([0x03, 0x80, 0x80, 0x80, 0x80, 0x01])
        }
        XCTAssertThrowsMP4Error(.truncatedBody("esds", needed: 0x25, remaining: 3, at: 5)) {
            try parse(Array(Self.ffmpegESDescriptor.prefix(8)))
        }
        XCTAssertThrowsMP4Error(.invalidValue("esds", reason: "ES_Descriptor has no DecoderConfigDescriptor (tag 0x04)", at: 8)) {
            try parse([0x03, 0x06, 0x00, 0x01, 0x00, 0x06, 0x01, 0x02])
        }
    }

    func testEveryTruncationThrows() {
        for length in 0..<Self.ffmpegESDescriptor.count {
            XCTAssertThrowsError(try parse(Array(Self.ffmpegESDescriptor.prefix(length))), "length \(length)")
        }
    }
}
