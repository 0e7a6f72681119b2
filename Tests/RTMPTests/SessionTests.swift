import Containers
import MediaCore
import RTMP
import TestSupport
import XCTest

/// The server session against a scripted publisher (the messages ffmpeg sends, in its order):
/// the answers clients wait for, media out as FLV tag bodies, unpublish, refusal.
final class SessionTests: XCTestCase {
    private func tags(_ count: Int = 12) throws -> [FLVTag] {
        try ClientScript.tags(TestPaths.fixture("flv/h264_aac.flv"), count: count)
    }

    func testPublishConversation() throws {
        let tags = try tags()
        let run = SessionRun(ClientScript.bytes(ClientScript.messages(name: "cam1?key=secret", tags: tags)))
        XCTAssertNil(run.error)
        XCTAssertEqual(run.events.first, .connected(app: "live", tcUrl: "rtmp://127.0.0.1:1935/live"))
        XCTAssertEqual(run.events[1], .publishRequested(name: "cam1", rawName: "cam1?key=secret", streamID: 1))
        XCTAssertEqual(run.media, tags.map { .media(kind: $0.kind, timestamp: $0.timestamp, body: $0.body) })
        XCTAssertEqual(run.events.last, .unpublished(name: "cam1"))

        // What the server said, in order.
        let messages = run.serverMessages
        XCTAssertEqual(Array(run.output[0..<1]), [3], "S0")
        XCTAssertEqual(try ProtocolControlMessage(messages[0]), .windowAcknowledgementSize(2_500_000))
        XCTAssertEqual(try ProtocolControlMessage(messages[1]), .setPeerBandwidth(2_500_000, limitType: 2))
        XCTAssertEqual(try ProtocolControlMessage(messages[2]), .setChunkSize(4096))
        let commands = run.serverCommands
        XCTAssertEqual(commands.map(\.name), ["_result", "_result", "onFCPublish", "_result", "_result", "onStatus",
                                              "onFCUnpublish", "_result"])
        let connect = commands[0]
        XCTAssertEqual(connect.transactionID, 1)
        XCTAssertEqual(connect.commandObject["fmsVer"]?.string, "FMS/3,0,1,123")
        XCTAssertEqual(connect.arguments.first?["code"]?.string, "NetConnection.Connect.Success")
        XCTAssertEqual(commands[4].transactionID, 4, "createStream's answer")
        XCTAssertEqual(commands[4].arguments, [.number(1)], "the stream ID")
        XCTAssertEqual(commands[5].arguments.first?["code"]?.string, "NetStream.Publish.Start")
        XCTAssertEqual(commands[5].arguments.first?["level"]?.string, "status")
        let onStatus = try XCTUnwrap(messages.first { $0.type == .commandAMF0 && (try? CommandMessage(parsing: $0.payload))?.name == "onStatus" })
        XCTAssertEqual(onStatus.streamID, 1, "onStatus goes on the published stream")
        let streamBegin = try XCTUnwrap(messages.first { $0.type == .userControl })
        XCTAssertEqual(try UserControlEvent(parsing: streamBegin.payload), .streamBegin(streamID: 1))
    }

    /// A client that declares Enhanced RTMP (ffmpeg 7+ sends fourCcList) is told the FourCCs
    /// the server takes and the extensions it parses; a legacy client's answer is unchanged.
    func testEnhancedConnectIsAnsweredWithTheServersFourCCs() throws {
        var messages = ClientScript.messages(name: "cam1", tags: [])
        messages[1].0 = ClientScript.command("connect", 1, .object([
            .init("app", .string("live")), .init("tcUrl", .string("rtmp://127.0.0.1:1935/live")),
            .init("fourCcList", .strictArray(["av01", "vp09", "hvc1", "avc1"].map { .string($0) })),
        ]))
        let enhanced = try XCTUnwrap(SessionRun(ClientScript.bytes(messages)).serverCommands.first)
        XCTAssertEqual(enhanced.name, "_result")
        XCTAssertEqual(enhanced.commandObject["fourCcList"], .strictArray(["av01", "vp09", "hvc1", "avc1", "mp4a", "Opus", "ac-3", "ec-3", ".mp3"].map { .string($0) }))
        XCTAssertEqual(enhanced.commandObject["videoFourCcInfoMap"]?["av01"]?.number, 4, "CanForward")
        XCTAssertEqual(enhanced.commandObject["capsEx"]?.number, 6, "Multitrack | ModEx")
        XCTAssertEqual(enhanced.arguments.first?["code"]?.string, "NetConnection.Connect.Success")

        let legacy = try XCTUnwrap(SessionRun(ClientScript.bytes(ClientScript.messages(name: "cam1", tags: []))).serverCommands.first)
        XCTAssertEqual(legacy.commandObject.properties?.map(\.name), ["fmsVer", "capabilities", "mode"])
    }

    /// Fed a byte at a time, the session does and says exactly what it does fed at once.
    func testByteAtATimeIsTheSame() throws {
        let bytes = ClientScript.bytes(ClientScript.messages(name: "cam1", tags: try tags()))
        let whole = SessionRun(bytes)
        let bytewise = SessionRun(bytes, step: 1)
        XCTAssertEqual(bytewise.events, whole.events)
        XCTAssertEqual(bytewise.serverMessages, whole.serverMessages)
    }

    func testRefusedPublishGetsBadNameAndNoMedia() throws {
        let run = SessionRun(ClientScript.bytes(ClientScript.messages(name: "taken", tags: try tags(), unpublish: false)), reject: true)
        XCTAssertNil(run.error)
        XCTAssertEqual(run.media, [], "media of a refused publish is dropped")
        let status = try XCTUnwrap(run.serverCommands.last)
        XCTAssertEqual(status.name, "onStatus")
        XCTAssertEqual(status.arguments.first?["level"]?.string, "error")
        XCTAssertEqual(status.arguments.first?["code"]?.string, "NetStream.Publish.BadName")
    }

    func testNoEventsWhileThePublishDecisionIsPending() throws {
        var session = RTMPServerSession()
        session.push(ClientScript.bytes(ClientScript.messages(name: "cam1", tags: try tags())))
        XCTAssertEqual(try session.nextEvent(), .connected(app: "live", tcUrl: "rtmp://127.0.0.1:1935/live"))
        guard case .publishRequested? = try session.nextEvent() else { return XCTFail("publish expected") }
        XCTAssertTrue(session.isAwaitingPublishDecision)
        XCTAssertNil(try session.nextEvent())
        XCTAssertNil(try session.nextEvent())
        session.acceptPublish()
        guard case .media? = try session.nextEvent() else { return XCTFail("media expected after the decision") }
        XCTAssertEqual(session.publishing?.name, "cam1")
    }

    /// Pings are answered. Acknowledgements follow the window the client announced, and a
    /// client that announced none (ffmpeg) gets none: it would not read them, and an unread
    /// byte makes its close a reset that loses the tail of its stream (nginx-rtmp acts alike).
    func testPingIsAnsweredAndBytesAreAcknowledgedInTheClientsWindow() throws {
        var limits = RTMPServerSession.Limits()
        limits.windowAcknowledgementSize = 5000
        var messages = ClientScript.messages(name: "cam1", tags: try tags(), unpublish: false)
        messages.insert((UserControlEvent.pingRequest(timestamp: 77).message, 2), at: 2)
        let run = SessionRun(ClientScript.bytes(messages), step: 1000, limits: limits)
        let control = run.serverMessages.compactMap { message -> UserControlEvent? in
            message.type == .userControl ? try? UserControlEvent(parsing: message.payload) : nil
        }
        XCTAssertTrue(control.contains(.pingResponse(timestamp: 77)))
        XCTAssertGreaterThan(run.bytesReceived, 5000)
        XCTAssertEqual(run.serverMessages.filter { $0.type == .acknowledgement }, [], "no window announced, no acknowledgements")

        var withWindow = ClientScript.messages(name: "cam1", tags: try tags(), unpublish: false)
        withWindow.insert((ProtocolControlMessage.windowAcknowledgementSize(2000).message, 2), at: 1)
        let second = SessionRun(ClientScript.bytes(withWindow), step: 500, limits: limits)
        let acks = second.serverMessages.compactMap { message -> UInt32? in
            if case let .acknowledgement(n)? = try? ProtocolControlMessage(message) { return n }
            return nil
        }
        XCTAssertFalse(acks.isEmpty, "acknowledgements after each window")
        XCTAssertEqual(acks, acks.sorted())
        XCTAssertTrue(zip([0] + acks, acks).allSatisfy { $1 - $0 >= 2000 }, "\(acks)")
        XCTAssertLessThanOrEqual(UInt64(acks.last!), second.bytesReceived)
        XCTAssertGreaterThan(UInt64(acks.last!) + 2000 + 500, second.bytesReceived, "the last window acknowledged")
    }

    func testMediaOnAnotherStreamAndUnknownCommands() throws {
        var messages = ClientScript.messages(name: "cam1", tags: [], unpublish: false)
        messages.append((RTMPMessage(type: .video, timestamp: 0, streamID: 7, payload: [0x17, 0, 0, 0, 0]), 6))
        messages.append((ClientScript.command("getStreamLength", 9, .null, [.string("x")]), 3))
        messages.append((ClientScript.command("play", 10, .null, [.string("x")], streamID: 1), 3))
        let run = SessionRun(ClientScript.bytes(messages))
        XCTAssertNil(run.error)
        XCTAssertEqual(run.media, [], "media of a stream that does not publish is dropped")
        let errors = run.serverCommands.filter { $0.name == "_error" }
        XCTAssertEqual(errors.map(\.transactionID), [9, 10])
    }

    /// 7.1.6: an aggregate message is FLV tags with back pointers; their timestamps move with
    /// the aggregate's own.
    func testAggregateMessagesAreSplit() throws {
        let tags = try tags(6)
        var body = ByteWriter()
        for tag in tags {
            body.write(tag.kind.rawValue)
            body.writeUInt(UInt64(tag.body.count), byteCount: 3)
            body.writeUInt(UInt64(tag.timestamp + 500) & 0xFF_FFFF, byteCount: 3)
            body.write(UInt8((tag.timestamp + 500) >> 24))
            body.writeUInt(0, byteCount: 3)
            body.write(bytes: tag.body)
            body.write(UInt32(11 + tag.body.count))
        }
        var messages = ClientScript.messages(name: "cam1", tags: [], unpublish: false)
        messages.append((RTMPMessage(type: .aggregate, timestamp: 1000, streamID: 1, payload: body.bytes), 6))
        let run = SessionRun(ClientScript.bytes(messages))
        let first = tags[0].timestamp
        XCTAssertEqual(run.media, tags.map { .media(kind: $0.kind, timestamp: 1000 + $0.timestamp - first, body: $0.body) })
    }

    func testStreamNameLosesItsQueryString() {
        XCTAssertEqual(RTMPServerSession.streamName(fromPublishName: "cam1?key=x&y=z"), "cam1")
        XCTAssertEqual(RTMPServerSession.streamName(fromPublishName: "cam1"), "cam1")
        XCTAssertEqual(RTMPServerSession.streamName(fromPublishName: "?key"), "")
    }

    func testProtocolControlAndUserControlRoundTrip() throws {
        let controls: [ProtocolControlMessage] = [.setChunkSize(4096), .abort(chunkStreamID: 6), .acknowledgement(sequenceNumber: 9),
                                                  .windowAcknowledgementSize(2_500_000), .setPeerBandwidth(1000, limitType: 1)]
        for control in controls { XCTAssertEqual(try ProtocolControlMessage(control.message), control) }
        let events: [UserControlEvent] = [.streamBegin(streamID: 1), .streamEOF(streamID: 2), .streamDry(streamID: 3),
                                          .setBufferLength(streamID: 1, milliseconds: 3000), .streamIsRecorded(streamID: 1),
                                          .pingRequest(timestamp: 5), .pingResponse(timestamp: 6), .other(eventType: 31, data: [1, 2])]
        for event in events { XCTAssertEqual(try UserControlEvent(parsing: event.message.payload), event) }
        let command = CommandMessage(name: "publish", transactionID: 5, arguments: [.string("cam1"), .string("live")])
        XCTAssertEqual(try CommandMessage(parsing: command.encode()), command)
        XCTAssertEqual(try CommandMessage(parsing: [0] + command.encode(), isAMF3: true), command)
        XCTAssertThrowsError(try ProtocolControlMessage(RTMPMessage(type: .windowAcknowledgementSize, payload: [1, 2])))
        XCTAssertThrowsError(try UserControlEvent(parsing: [0]))
        XCTAssertThrowsError(try CommandMessage(parsing: [0x00, 0, 0, 0, 0, 0, 0, 0, 0]), "a command starts with a string")
    }
}
