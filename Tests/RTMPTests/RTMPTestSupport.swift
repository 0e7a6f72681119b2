import Containers
import Foundation
import MediaCore
import RTMP
import XCTest


/// The client's side of a publish, as messages and bytes, built with the library's own
/// encoder: what ffmpeg sends, in the order it sends it.
enum ClientScript {
    static let streamID: UInt32 = 1

    static func command(_ name: String, _ transaction: Double, _ object: AMF0Value = .null, _ arguments: [AMF0Value] = [],
                        streamID: UInt32 = 0) -> RTMPMessage {
        try! CommandMessage(name: name, transactionID: transaction, commandObject: object, arguments: arguments).message(streamID: streamID)
    }

    static func connect(app: String = "live") -> RTMPMessage {
        command("connect", 1, .object([
            .init("app", .string(app)), .init("type", .string("nonprivate")), .init("flashVer", .string("FMLE/3.0")),
            .init("tcUrl", .string("rtmp://127.0.0.1:1935/\(app)")),
        ]))
    }

    /// connect ... publish, then `tags` as media on the published stream, then FCUnpublish and
    /// deleteStream when `unpublish`. Commands on chunk stream 3, media on 4 (audio) and 6
    /// (video) and 5 (data), as ffmpeg does.
    static func messages(name: String, tags: [FLVTag], unpublish: Bool = true) -> [(RTMPMessage, UInt32)] {
        var list: [(RTMPMessage, UInt32)] = [
            (ProtocolControlMessage.setChunkSize(4096).message, 2),
            (connect(), 3),
            (command("releaseStream", 2, .null, [.string(name)]), 3),
            (command("FCPublish", 3, .null, [.string(name)]), 3),
            (command("createStream", 4), 3),
            (command("publish", 5, .null, [.string(name), .string("live")], streamID: streamID), 3),
        ]
        for tag in tags {
            let type: MessageType = tag.kind == .audio ? .audio : tag.kind == .video ? .video : .dataAMF0
            let csid: UInt32 = tag.kind == .audio ? 4 : tag.kind == .video ? 6 : 5
            list.append((RTMPMessage(type: type, timestamp: tag.timestamp, streamID: streamID, payload: tag.body), csid))
        }
        if unpublish {
            list.append((command("FCUnpublish", 6, .null, [.string(name)]), 3))
            list.append((command("deleteStream", 7, .null, [.number(Double(streamID))]), 3))
        }
        return list
    }

    /// C0, C1, C2 and the chunks of `messages`. The Set Chunk Size among them applies from the
    /// next message on, as on the wire.
    static func bytes(_ messages: [(RTMPMessage, UInt32)]) -> [UInt8] {
        var writer = ByteWriter()
        writer.write(bytes: HandshakeInitiator().hello())
        writer.writeZeros(HandshakeResponder.packetSize)  // C2: not checked by the server
        var encoder = ChunkStreamEncoder()
        for (message, csid) in messages {
            if case let .setChunkSize(size)? = try? ProtocolControlMessage(message) {
                encoder.setChunkSize(Int(size), to: &writer)
            } else {
                encoder.encode(message, chunkStreamID: csid, to: &writer)
            }
        }
        return writer.bytes
    }

    /// The first `count` tags of an FLV fixture.
    static func tags(_ fixture: String, count: Int = .max) throws -> [FLVTag] {
        var reader = FLVReader()
        reader.push(try FileSystem.readFile(fixture))
        var tags: [FLVTag] = []
        while tags.count < count, let (tag, _) = try reader.nextTag() { tags.append(tag) }
        return tags
    }
}

/// Everything a session said and reported, fed `input` in pieces of `step` bytes; publishes
/// are accepted unless `reject`.
struct SessionRun {
    var events: [RTMPServerEvent] = []
    var output: [UInt8] = []
    var error: RTMPError?
    /// The session's count of bytes received when the input was done.
    var bytesReceived: UInt64 = 0

    init(_ input: [UInt8], step: Int = .max, reject: Bool = false, limits: RTMPServerSession.Limits = .init()) {
        var session = RTMPServerSession(limits: limits)
        var offset = 0
        repeat {
            let end = min(input.count, offset + max(1, min(step, input.count)))
            session.push(input[offset..<end])
            offset = end
            do {
                while let event = try session.nextEvent() {
                    events.append(event)
                    if case .publishRequested = event {
                        if reject { session.rejectPublish(description: "refused") } else { session.acceptPublish() }
                    }
                }
            } catch {
                self.error = error
                break
            }
        } while offset < input.count
        output = session.takeOutput()
        bytesReceived = session.bytesReceived
    }

    /// The server's messages, after S0 S1 S2.
    var serverMessages: [RTMPMessage] {
        var decoder = ChunkStreamDecoder()
        decoder.push(output.dropFirst(1 + 2 * HandshakeResponder.packetSize))
        var messages: [RTMPMessage] = []
        while let message = try? decoder.next() { messages.append(message) }
        return messages
    }

    var serverCommands: [CommandMessage] {
        serverMessages.compactMap { $0.type == .commandAMF0 ? try? CommandMessage(parsing: $0.payload) : nil }
    }

    var media: [RTMPServerEvent] {
        events.filter { if case .media = $0 { return true } else { return false } }
    }
}
