import MediaCore
import RTMP
import TestSupport
import XCTest

/// The chunk stream (5.3): the spec's own examples byte for byte, every header type, extended
/// timestamps, chunk size changes, interleaving, limits; and seeded random round trips fed in
/// random pieces.
final class ChunkStreamTests: XCTestCase {
    private func decode(_ bytes: [UInt8], step: Int = .max, limits: ChunkStreamDecoder.Limits = .init()) throws -> [RTMPMessage] {
        var decoder = ChunkStreamDecoder(limits: limits)
        var messages: [RTMPMessage] = []
        var offset = 0
        repeat {
            let end = min(bytes.count, offset + max(1, step))
            decoder.push(bytes[offset..<end])
            offset = end
            while let message = try decoder.next() { messages.append(message) }
        } while offset < bytes.count
        XCTAssertEqual(decoder.pendingByteCount, 0, "every byte consumed")
        return messages
    }

    private func header(_ format: ChunkHeader.Format, _ csid: UInt32, timestamp: UInt32 = 0, length: Int = 0, type: UInt8 = 0,
                        stream: UInt32 = 0, extendedType3: Bool = false) -> [UInt8] {
        var writer = ByteWriter()
        ChunkHeader(format: format, chunkStreamID: csid, timestamp: timestamp, messageLength: length, messageTypeID: type,
                    messageStreamID: stream, type3HasExtendedTimestamp: extendedType3).write(to: &writer)
        return writer.bytes
    }

    /// The parts, one after another (long `+` chains defeat the type checker).
    private func join(_ parts: [UInt8]...) -> [UInt8] { parts.flatMap { $0 } }

    private func formats(of bytes: [UInt8]) -> UInt8 { bytes[0] >> 6 }

    /// 5.3.2.1, example 1: four audio messages, the second with a type 2 header, the last two
    /// with type 3 headers only (same delta).
    func testSpecExampleOneAudioMessagesUseTypes0223Headers() throws {
        let payload = [UInt8](repeating: 0xAF, count: 32)
        let messages = [1000, 1020, 1040, 1060].map { RTMPMessage(type: .audio, timestamp: UInt32($0), streamID: 12345, payload: payload) }
        let expected = join(header(.full, 3, timestamp: 1000, length: 32, type: 8, stream: 12345), payload,
                            header(.timestampDelta, 3, timestamp: 20), payload,
                            header(.continuation, 3), payload,
                            header(.continuation, 3), payload)
        XCTAssertEqual(Array(expected[0..<12]), [0x03, 0x00, 0x03, 0xE8, 0x00, 0x00, 0x20, 0x08, 0x39, 0x30, 0x00, 0x00],
                       "type 0 header as 5.3.2.1 draws it (stream ID little-endian)")
        var encoder = ChunkStreamEncoder()
        XCTAssertEqual(messages.flatMap { encoder.encode($0, chunkStreamID: 3) }, expected)
        XCTAssertEqual(try decode(expected), messages)
        XCTAssertEqual(try decode(expected, step: 1), messages)
    }

    /// 5.3.2.2, example 2: a 307-byte message at chunk size 128 is one type 0 chunk and two
    /// type 3 continuation chunks.
    func testSpecExampleTwoMessageSplitIntoContinuationChunks() throws {
        let payload = (0..<307).map { UInt8(truncatingIfNeeded: $0) }
        let message = RTMPMessage(type: .video, timestamp: 1000, streamID: 12346, payload: payload)
        let expected = join(header(.full, 4, timestamp: 1000, length: 307, type: 9, stream: 12346), Array(payload[0..<128]),
                            header(.continuation, 4), Array(payload[128..<256]),
                            header(.continuation, 4), Array(payload[256...]))
        var encoder = ChunkStreamEncoder()
        XCTAssertEqual(encoder.encode(message, chunkStreamID: 4), expected)
        XCTAssertEqual(try decode(expected), [message])
    }

    /// Type 1 when the length or type changes; type 2 when only the delta does; type 0 again
    /// for another message stream or a timestamp going backwards.
    func testEncoderChoosesEachHeaderType() throws {
        let messages = [
            RTMPMessage(type: .video, timestamp: 0, streamID: 1, payload: [1, 2, 3]),       // 0: first
            RTMPMessage(type: .video, timestamp: 40, streamID: 1, payload: [1, 2, 3, 4]),   // 1: length
            RTMPMessage(type: .audio, timestamp: 40, streamID: 1, payload: [1, 2, 3, 4]),   // 1: type
            RTMPMessage(type: .audio, timestamp: 63, streamID: 1, payload: [5, 6, 7, 8]),   // 2: delta 23
            RTMPMessage(type: .audio, timestamp: 86, streamID: 1, payload: [9, 9, 9, 9]),   // 3: delta 23 again
            RTMPMessage(type: .audio, timestamp: 100, streamID: 1, payload: [9, 9, 9, 9]),  // 2: delta 14
            RTMPMessage(type: .audio, timestamp: 100, streamID: 2, payload: [9, 9, 9, 9]),  // 0: stream
            RTMPMessage(type: .audio, timestamp: 50, streamID: 2, payload: [9, 9, 9, 9]),   // 0: backwards
        ]
        var encoder = ChunkStreamEncoder()
        let chunks = messages.map { encoder.encode($0, chunkStreamID: 6) }
        XCTAssertEqual(chunks.map(formats), [0, 1, 1, 2, 3, 2, 0, 0])
        XCTAssertEqual(try decode(chunks.flatMap { $0 }), messages)
    }

    /// A type 3 header that starts a message right after a type 0 header adds the type 0
    /// timestamp again (5.3.1.2.4); after a type 1 or 2, the last delta.
    func testType3StartingAMessageRepeatsTheLastTimestampField() throws {
        let bytes = join(header(.full, 5, timestamp: 100, length: 1, type: 8, stream: 1), [0xA],
                         header(.continuation, 5), [0xB],
                         header(.sameStream, 5, timestamp: 7, length: 2, type: 8), [0xC, 0xC],
                         header(.continuation, 5), [0xD, 0xD])
        let messages = try decode(bytes)
        XCTAssertEqual(messages.map(\.timestamp), [100, 200, 207, 214])
        XCTAssertEqual(messages.map(\.payload), [[0xA], [0xB], [0xC, 0xC], [0xD, 0xD]])
        XCTAssertEqual(messages.map(\.streamID), [1, 1, 1, 1])
    }

    /// 5.3.1.3: a field of 0xFFFFFF means the 32-bit extended timestamp follows, in the first
    /// chunk and in every continuation chunk; deltas can be extended too.
    func testExtendedTimestamps() throws {
        let payload = [UInt8](repeating: 7, count: 300)
        let messages = [
            RTMPMessage(type: .video, timestamp: 0xFF_FFFF, streamID: 1, payload: payload),       // exactly the marker
            RTMPMessage(type: .video, timestamp: 0x1FF_FFFF, streamID: 1, payload: payload),      // extended delta
            RTMPMessage(type: .video, timestamp: 0x2FF_FFFF, streamID: 1, payload: payload),      // type 3, extended
            RTMPMessage(type: .video, timestamp: 0x2FF_FFFF + 40, streamID: 1, payload: payload), // small delta again
            RTMPMessage(type: .audio, timestamp: 0xFFFF_FFF0, streamID: 1, payload: [1]),         // near the wrap
        ]
        var encoder = ChunkStreamEncoder()
        let bytes = messages.flatMap { encoder.encode($0, chunkStreamID: 7) }
        XCTAssertEqual(try decode(bytes), messages)
        XCTAssertEqual(try decode(bytes, step: 1), messages)
        // The first message by hand: type 0 with the marker, the extended value, and each
        // continuation chunk's basic header followed by the extended value again.
        let first = header(.full, 7, timestamp: 0xFF_FFFF, length: 300, type: 9, stream: 1)
        XCTAssertEqual(Array(first[1..<4]), [0xFF, 0xFF, 0xFF])
        XCTAssertEqual(Array(first[12..<16]), [0x00, 0xFF, 0xFF, 0xFF])
        let continuation = header(.continuation, 7, timestamp: 0xFF_FFFF, extendedType3: true)
        XCTAssertEqual(continuation, [0xC7, 0x00, 0xFF, 0xFF, 0xFF])
        XCTAssertEqual(Array(bytes[0..<(16 + 128 + 5)]), join(first, Array(payload[0..<128]), continuation))
    }

    /// Set Chunk Size takes effect at the next chunk, even in the middle of another chunk
    /// stream's message (5.4.1: it is a message of its own, interleaved).
    func testChunkSizeChangeBetweenChunksOfAnotherMessage() throws {
        let video = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 3) }
        var writer = ByteWriter()
        writer.write(bytes: header(.full, 6, timestamp: 0, length: 1000, type: 9, stream: 1))
        writer.write(bytes: video[0..<128])
        var control = ChunkStreamEncoder()
        control.encode(ProtocolControlMessage.setChunkSize(500).message, chunkStreamID: 2, to: &writer)
        writer.write(bytes: header(.continuation, 6))
        writer.write(bytes: video[128..<628])
        writer.write(bytes: header(.continuation, 6))
        writer.write(bytes: video[628...])
        let messages = try decode(writer.bytes)
        XCTAssertEqual(messages.map(\.typeID), [1, 9])
        XCTAssertEqual(messages[1].payload, video)

        // The encoder's own change: chunks after it are of the new size.
        var encoder = ChunkStreamEncoder()
        var out = ByteWriter()
        let before = RTMPMessage(type: .video, timestamp: 0, streamID: 1, payload: video)
        encoder.encode(before, chunkStreamID: 6, to: &out)
        encoder.setChunkSize(4096, to: &out)
        let after = RTMPMessage(type: .video, timestamp: 40, streamID: 1, payload: video)
        let single = encoder.encode(after, chunkStreamID: 6)
        XCTAssertEqual(single.count, 1 + 3 + 1000, "one type 2 chunk at chunk size 4096")
        var decoder = ChunkStreamDecoder()
        decoder.push(out.bytes + single)
        XCTAssertEqual(try decoder.next(), before)
        XCTAssertEqual(try decoder.next()?.type, .setChunkSize)
        XCTAssertEqual(decoder.chunkSize, 4096)
        XCTAssertEqual(try decoder.next(), after)
    }

    /// Chunks of audio and video messages interleaved: each completes when its last chunk
    /// arrives, whatever came between.
    func testInterleavedChunkStreams() throws {
        let video = [UInt8](repeating: 9, count: 300)
        let audio = [UInt8](repeating: 8, count: 200)
        let bytes = join(header(.full, 6, timestamp: 40, length: 300, type: 9, stream: 1), Array(video[0..<128]),
                         header(.full, 4, timestamp: 43, length: 200, type: 8, stream: 1), Array(audio[0..<128]),
                         header(.continuation, 6), Array(video[128..<256]),
                         header(.continuation, 4), Array(audio[128...]),
                         header(.continuation, 6), Array(video[256...]))
        let messages = try decode(bytes)
        XCTAssertEqual(messages, [RTMPMessage(type: .audio, timestamp: 43, streamID: 1, payload: audio),
                                  RTMPMessage(type: .video, timestamp: 40, streamID: 1, payload: video)])
    }

    /// 2- and 3-byte basic headers (chunk stream IDs 64...319 and 320...65599).
    func testLongChunkStreamIDs() throws {
        for csid: UInt32 in [2, 63, 64, 319, 320, 1000, 65_599] {
            var encoder = ChunkStreamEncoder()
            let message = RTMPMessage(type: .dataAMF0, timestamp: 5, streamID: 1, payload: [1, 2, 3])
            let bytes = encoder.encode(message, chunkStreamID: csid)
            XCTAssertEqual(bytes.count, (csid < 64 ? 1 : csid < 320 ? 2 : 3) + 11 + 3)
            XCTAssertEqual(try decode(bytes), [message], "chunk stream \(csid)")
        }
    }

    func testZeroLengthMessageAndAbort() throws {
        let bytes = join(header(.full, 3, timestamp: 1, length: 0, type: 18, stream: 1),
                         header(.full, 6, timestamp: 2, length: 300, type: 9, stream: 1), [UInt8](repeating: 1, count: 128),
                         ProtocolControlMessage.abort(chunkStreamID: 6).message.encoded(csid: 2),
                         header(.full, 6, timestamp: 3, length: 2, type: 9, stream: 1), [5, 5])
        let messages = try decode(bytes)
        XCTAssertEqual(messages.map(\.typeID), [18, 2, 9])
        XCTAssertEqual(messages[0].payload, [])
        XCTAssertEqual(messages[2].payload, [5, 5], "the aborted message is gone; a new one starts")
    }

    /// Nothing is consumed while a chunk is incomplete.
    func testIncompleteChunkConsumesNothing() throws {
        var encoder = ChunkStreamEncoder()
        let bytes = encoder.encode(RTMPMessage(type: .video, timestamp: 0, streamID: 1, payload: [UInt8](repeating: 1, count: 100)),
                                   chunkStreamID: 6)
        var decoder = ChunkStreamDecoder()
        for byte in bytes.dropLast() {
            decoder.push([byte])
            XCTAssertNil(try decoder.next())
        }
        XCTAssertEqual(decoder.pendingByteCount, bytes.count - 1)
        decoder.push([bytes.last!])
        XCTAssertNotNil(try decoder.next())
        XCTAssertEqual(decoder.pendingByteCount, 0)
        XCTAssertEqual(decoder.offset, Int64(bytes.count))
    }

    // MARK: Limits and protocol errors

    func testHugeDeclaredLengthIsRefusedFromTheHeader() {
        var decoder = ChunkStreamDecoder()
        decoder.push(header(.full, 6, timestamp: 0, length: 0xFF_FFFF, type: 9, stream: 1))
        XCTAssertThrowsError(try decoder.next()) { error in
            guard case .messageTooLong(0xFF_FFFF, 8 * 1024 * 1024, 6, 0)? = error as? RTMPError else { return XCTFail("\(error)") }
        }
    }

    func testBufferedBytesAndChunkStreamCountAreBounded() {
        var limits = ChunkStreamDecoder.Limits()
        limits.maxMessageLength = 1000
        limits.maxBufferedBytes = 2500
        var decoder = ChunkStreamDecoder(limits: limits)
        for csid: UInt32 in 3...5 {
            decoder.push(header(.full, csid, length: 1000, type: 9, stream: 1) + [UInt8](repeating: 0, count: 128))
        }
        XCTAssertThrowsError(try decoder.next(), "the third partial message is one too many") { error in
            guard case .tooManyBufferedBytes(2500, 280)? = error as? RTMPError else { return XCTFail("\(error)") }
        }

        limits = .init()
        limits.maxChunkStreams = 4
        decoder = ChunkStreamDecoder(limits: limits)
        for csid: UInt32 in 3...7 { decoder.push(header(.full, csid, length: 1, type: 8, stream: 1) + [0]) }
        for _ in 0..<4 { XCTAssertNotNil(try decoder.next()) }
        XCTAssertThrowsError(try decoder.next()) { error in
            guard case .tooManyChunkStreams? = error as? RTMPError else { return XCTFail("\(error)") }
        }
    }

    func testHeadersThatBreakTheChunkStreamRules() {
        func error(_ bytes: [UInt8]) -> RTMPError? {
            var decoder = ChunkStreamDecoder()
            decoder.push(bytes)
            do {
                while try decoder.next() != nil {}
                return nil
            } catch {
                return error
            }
        }
        for format in [ChunkHeader.Format.sameStream, .timestampDelta, .continuation] {
            XCTAssertEqual(error(header(format, 9, length: 1, type: 8) + [0]),
                           .missingPreviousHeader(format: format.rawValue, chunkStreamID: 9, at: 0))
        }
        let partial = header(.full, 6, length: 300, type: 9, stream: 1) + [UInt8](repeating: 0, count: 128)
        XCTAssertEqual(error(partial + header(.full, 6, length: 1, type: 9, stream: 1) + [0]),
                       .headerInsideMessage(format: 0, chunkStreamID: 6, at: 140))
        for size: UInt32 in [0, 0x8000_0000] {
            var writer = ByteWriter()
            writer.write(bytes: header(.full, 2, length: 4, type: 1))
            writer.write(size)
            XCTAssertEqual(error(writer.bytes), .invalidChunkSize(size, at: 0))
        }
    }

    // MARK: Random round trips

    /// Random messages on random chunk streams, with chunk size changes and timestamps that
    /// jump, go back and wrap: decoded in random pieces, they are the messages sent.
    func testSeededRandomRoundTrips() throws {
        var random = SeededGenerator(seed: 0x5EED_C4A2)
        let chunkStreams: [UInt32] = [3, 4, 6, 63, 64, 319, 320, 65_599]
        for round in 0..<40 {
            var encoder = ChunkStreamEncoder()
            var writer = ByteWriter()
            var sent: [RTMPMessage] = []
            var clock: [UInt32: UInt32] = [:]
            for _ in 0..<Int.random(in: 1...60, using: &random) {
                if Int.random(in: 0..<10, using: &random) == 0 {
                    let size = [1, 7, 128, 129, 4096, 70_000][Int.random(in: 0..<6, using: &random)]
                    encoder.setChunkSize(size, to: &writer)
                    sent.append(ProtocolControlMessage.setChunkSize(UInt32(size)).message)
                    continue
                }
                let csid = chunkStreams[Int.random(in: 0..<chunkStreams.count, using: &random)]
                var time = clock[csid] ?? UInt32.random(in: 0...UInt32.max, using: &random)
                switch Int.random(in: 0..<6, using: &random) {
                case 0: time &+= UInt32.random(in: 0...0x200_0000, using: &random)  // extended delta
                case 1: time &-= UInt32.random(in: 0...100, using: &random)         // backwards
                case 2: break                                                       // same
                default: time &+= [20, 21, 23, 40][Int.random(in: 0..<4, using: &random)]
                }
                clock[csid] = time
                let length = [0, 1, 5, 127, 128, 129, 300, 5000][Int.random(in: 0..<8, using: &random)]
                let payload = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
                let message = RTMPMessage(typeID: [8, 9, 18, 20][Int.random(in: 0..<4, using: &random)], timestamp: time,
                                          streamID: UInt32.random(in: 0...2, using: &random), payload: payload)
                encoder.encode(message, chunkStreamID: csid, to: &writer)
                sent.append(message)
            }
            let step = [1, 3, 100, 4096, Int.max][round % 5]
            XCTAssertEqual(try decode(writer.bytes, step: step), sent, "round \(round)")
        }
    }
}

extension RTMPMessage {
    /// This message as chunks of `csid`, at the default chunk size.
    func encoded(csid: UInt32) -> [UInt8] {
        var encoder = ChunkStreamEncoder()
        return encoder.encode(self, chunkStreamID: csid)
    }
}
