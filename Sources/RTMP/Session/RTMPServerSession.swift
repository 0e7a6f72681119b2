import Containers
import MediaCore

/// One publishing client's connection, server side, without the socket: `push(_:)` the bytes
/// received, pull `nextEvent()` until nil, send `takeOutput()`. Publishing goes:
///
/// ```
/// client                                   server (this)
/// C0 C1 ─────────────────────────────────▶ S0 S1 S2
/// C2
/// connect(app, tcUrl) ───────────────────▶ Window Ack Size, Set Peer Bandwidth, Set Chunk Size,
///                                          _result(NetConnection.Connect.Success)
/// releaseStream(name) ───────────────────▶ _result
/// FCPublish(name) ───────────────────────▶ onFCPublish, _result
/// createStream ──────────────────────────▶ _result(stream ID)
/// publish(name, "live") on that stream ──▶ .publishRequested ─ caller decides ─▶
///                                          Stream Begin, onStatus(NetStream.Publish.Start)
///                                          or onStatus(NetStream.Publish.BadName)
/// @setDataFrame, audio, video ───────────▶ .media
/// FCUnpublish, deleteStream ─────────────▶ .unpublished
/// ```
///
/// Acknowledgements go out each time the window of bytes the client announced (Window
/// Acknowledgement Size, 5.4.4) has arrived, and not at all to a client that announced none
/// (ffmpeg announces none), as nginx-rtmp does; ping requests are answered. Media on a stream
/// that is not publishing is dropped. Unknown commands that expect an answer get `_error`.
public struct RTMPServerSession: Sendable {
    public struct Limits: Sendable, Equatable {
        public var chunk = ChunkStreamDecoder.Limits()
        /// connect with every property OBS sends is under 1 KiB; 64 KiB leaves room for any
        /// real client while bounding the AMF0 work a hostile one can ask for.
        public var maxCommandLength = 64 * 1024
        /// Our own chunk size: our answers are short, but larger chunks cost nothing.
        public var outgoingChunkSize = 4096
        /// Announced as the window after which the client acknowledges us, and as its peer
        /// bandwidth (the value nginx-rtmp and most servers send). Our acknowledgements follow
        /// the window the client announces, if any.
        public var windowAcknowledgementSize: UInt32 = 2_500_000
        /// createStream calls one connection may make: publishers make one.
        public var maxStreams = 16

        public init() {}
    }

    /// The chunk stream IDs of our messages: protocol control (fixed by 5.4), NetConnection
    /// answers, NetStream answers (the IDs nginx-rtmp and ffmpeg use too).
    static let controlChunkStream: UInt32 = 2
    static let connectionChunkStream: UInt32 = 3
    static let streamChunkStream: UInt32 = 5

    public let limits: Limits
    private var handshake: HandshakeResponder
    private var handshakeInput = InputBuffer()
    private var decoder: ChunkStreamDecoder
    private var encoder = ChunkStreamEncoder()
    private var output = ByteWriter()
    private var pendingEvents: [RTMPServerEvent] = []

    /// Bytes received on the connection, handshake included (what acknowledgements count).
    public private(set) var bytesReceived: UInt64 = 0
    private var bytesAcknowledged: UInt64 = 0
    private var peerWindow: UInt32?

    public private(set) var app: String?
    private var streams: Set<UInt32> = []
    private var nextStreamID: UInt32 = 1
    private var pendingPublish: (streamID: UInt32, name: String)?
    /// The stream being published and its name, once accepted.
    public private(set) var publishing: (streamID: UInt32, name: String)?

    /// `handshake` is injectable so tests can fix S1's bytes.
    public init(limits: Limits = Limits(), handshake: HandshakeResponder = HandshakeResponder()) {
        self.limits = limits
        self.handshake = handshake
        decoder = ChunkStreamDecoder(limits: limits.chunk, startOffset: Int64(1 + 2 * HandshakeResponder.packetSize))
    }

    public var isHandshakeComplete: Bool { handshake.isComplete }

    /// Whether a publish waits for `acceptPublish()` or `rejectPublish(description:)`.
    public var isAwaitingPublishDecision: Bool { pendingPublish != nil }

    /// The stream name a `publish` argument names: the part before any query string
    /// (`cam1?key=secret` is `cam1`), which is what record configs match.
    public static func streamName(fromPublishName raw: String) -> String {
        String(raw.prefix { $0 != "?" })
    }

    public mutating func push<C: Collection<UInt8>>(_ bytes: C) {
        bytesReceived += UInt64(bytes.count)
        if handshake.isComplete {
            decoder.push(bytes)
        } else {
            handshakeInput.append(bytes)
        }
    }

    /// Pushes what `fill` reads from the socket (up to `maximum` bytes) straight into the
    /// buffer that will parse them: the chunk decoder's once the handshake is done, so media
    /// bytes are not copied on their way in. `fill` returns the count it read and an outcome
    /// (the read's result), which this returns.
    public mutating func push<Outcome>(upTo maximum: Int,
                                       from fill: (UnsafeMutableRawBufferPointer) -> (count: Int, outcome: Outcome)) -> Outcome {
        let outcome: Outcome
        var read = 0
        let counting = { (buffer: UnsafeMutableRawBufferPointer) -> (count: Int, outcome: Outcome) in
            let filled = fill(buffer)
            read = filled.count
            return filled
        }
        if handshake.isComplete {
            outcome = decoder.push(upTo: maximum, from: counting)
        } else {
            outcome = handshakeInput.append(upTo: maximum, from: counting)
        }
        bytesReceived += UInt64(read)
        return outcome
    }

    /// Bytes to send to the client, taken (the next call returns only newer ones).
    public mutating func takeOutput() -> [UInt8] {
        defer { output.removeAll() }
        return output.bytes
    }

    /// The next event; nil when more bytes are needed, or while a publish decision is pending.
    /// An error means the connection is beyond repair: send what `takeOutput()` holds, close.
    public mutating func nextEvent() throws(RTMPError) -> RTMPServerEvent? {
        if !pendingEvents.isEmpty { return pendingEvents.removeFirst() }
        if !handshake.isComplete {
            while let step = try handshake.step(handshakeInput.unconsumed) {
                output.write(bytes: step.reply)
                handshakeInput.consume(step.consumed)
            }
            guard handshake.isComplete else { return nil }
            decoder.push(handshakeInput.unconsumed)
            handshakeInput = InputBuffer()
        }
        while pendingPublish == nil {
            acknowledgeIfDue()
            guard let message = try decoder.next() else { return nil }
            if let event = try handle(message) { return event }
            if !pendingEvents.isEmpty { return pendingEvents.removeFirst() }
        }
        return nil
    }

    /// Answers the pending publish: the stream is live.
    public mutating func acceptPublish() {
        guard let pending = pendingPublish else { return }
        pendingPublish = nil
        publishing = pending
        send(UserControlEvent.streamBegin(streamID: pending.streamID).message, on: Self.controlChunkStream)
        sendCommand(CommandMessage(name: "onStatus", transactionID: 0, arguments: [.object([
            .init("level", .string("status")),
            .init("code", .string("NetStream.Publish.Start")),
            .init("description", .string("\(pending.name) is now published.")),
            .init("details", .string(pending.name)),
        ])]), streamID: pending.streamID)
    }

    /// Refuses the pending publish with onStatus `code` at level error (BadName for a name
    /// in use, Unauthorized for a publisher without the right key), which clients report as
    /// an error and stop on.
    public mutating func rejectPublish(code: String = "NetStream.Publish.BadName", description: String) {
        guard let pending = pendingPublish else { return }
        pendingPublish = nil
        sendStatusError(code: code, description: description, streamID: pending.streamID)
    }

    // MARK: Messages

    private mutating func handle(_ message: RTMPMessage) throws(RTMPError) -> RTMPServerEvent? {
        let at = decoder.offset
        switch message.type {
        case .windowAcknowledgementSize:
            if case let .windowAcknowledgementSize(size)? = try ProtocolControlMessage(message, at: at), size > 0 {
                peerWindow = size
            }
            return nil
        case .setChunkSize, .abort, .acknowledgement, .setPeerBandwidth:
            // Chunk control already acted in the decoder; the client's acknowledgements and
            // bandwidth limits do not change what a receiving server does.
            _ = try ProtocolControlMessage(message, at: at)
            return nil
        case .userControl:
            if case let .pingRequest(timestamp) = try UserControlEvent(parsing: message.payload, at: at) {
                send(UserControlEvent.pingResponse(timestamp: timestamp).message, on: Self.controlChunkStream)
            }
            return nil
        case .audio, .video, .dataAMF0:
            return media(message, body: message.payload)
        case .dataAMF3:
            // A format byte of 0 means AMF0 follows (7.1.2); anything else is AMF3, not served.
            guard message.payload.first == 0 else { return nil }
            return media(message, body: Array(message.payload.dropFirst()))
        case .aggregate:
            guard let publishing, message.streamID == publishing.streamID else { return nil }
            pendingEvents = try Self.splitAggregate(message, at: at)
            return nil
        case .commandAMF0, .commandAMF3:
            guard message.payload.count <= limits.maxCommandLength else {
                throw .commandTooLong(length: message.payload.count, limit: limits.maxCommandLength, at: at)
            }
            let command = try CommandMessage(parsing: message.payload, isAMF3: message.type == .commandAMF3, at: at)
            return try handle(command, streamID: message.streamID)
        case .sharedObjectAMF0, .sharedObjectAMF3, nil:
            return nil
        }
    }

    private func media(_ message: RTMPMessage, body: [UInt8]) -> RTMPServerEvent? {
        guard let publishing, message.streamID == publishing.streamID,
              let kind = FLVTag.Kind(rawValue: message.typeID == MessageType.dataAMF3.rawValue ? FLVTag.Kind.scriptData.rawValue : message.typeID)
        else { return nil }
        return .media(kind: kind, timestamp: message.timestamp, body: body)
    }

    private mutating func handle(_ command: CommandMessage, streamID: UInt32) throws(RTMPError) -> RTMPServerEvent? {
        let firstString = command.arguments.first?.string
        switch command.name {
        case "connect":
            let properties = command.commandObject
            app = properties["app"]?.string ?? ""
            send(ProtocolControlMessage.windowAcknowledgementSize(limits.windowAcknowledgementSize).message, on: Self.controlChunkStream)
            send(ProtocolControlMessage.setPeerBandwidth(limits.windowAcknowledgementSize, limitType: 2).message, on: Self.controlChunkStream)
            encoder.setChunkSize(limits.outgoingChunkSize, to: &output)
            var serverProperties: [AMF0Value.Property] = [
                .init("fmsVer", .string("FMS/3,0,1,123")),
                .init("capabilities", .number(31)),
                .init("mode", .number(1)),
            ]
            if EnhancedRTMPCapabilities.isEnhancedClient(properties) {
                serverProperties += EnhancedRTMPCapabilities.serverProperties
            }
            sendCommand(CommandMessage(name: "_result", transactionID: command.transactionID, commandObject: .object(serverProperties),
                                       arguments: [.object([
                .init("level", .string("status")),
                .init("code", .string("NetConnection.Connect.Success")),
                .init("description", .string("Connection succeeded.")),
                .init("objectEncoding", .number(properties["objectEncoding"]?.number ?? 0)),
            ])]), streamID: 0)
            return .connected(app: app ?? "", tcUrl: properties["tcUrl"]?.string)
        case "releaseStream":
            answerResult(command, .undefined)
            return nil
        case "FCPublish":
            answerFC(command, notice: "onFCPublish", code: "NetStream.Publish.Start", name: firstString)
            return nil
        case "createStream":
            guard streams.count < limits.maxStreams else {
                answerError(command, "at most \(limits.maxStreams) streams per connection")
                return nil
            }
            let id = nextStreamID
            nextStreamID += 1
            streams.insert(id)
            answerResult(command, .number(Double(id)))
            return nil
        case "publish":
            let raw = firstString ?? ""
            let name = Self.streamName(fromPublishName: raw)
            guard !name.isEmpty else {
                sendStatusError(code: "NetStream.Publish.BadName", description: "publish needs a stream name", streamID: streamID)
                return nil
            }
            guard publishing == nil else {
                sendStatusError(code: "NetStream.Publish.BadName",
                                description: "this connection already publishes \(publishing!.name)", streamID: streamID)
                return nil
            }
            pendingPublish = (streamID, name)
            return .publishRequested(name: name, rawName: raw, streamID: streamID)
        case "FCUnpublish":
            answerFC(command, notice: "onFCUnpublish", code: "NetStream.Unpublish.Success", name: firstString)
            guard let publishing, Self.streamName(fromPublishName: firstString ?? "") == publishing.name else { return nil }
            return endPublishing()
        case "closeStream":
            guard let publishing, publishing.streamID == streamID else { return nil }
            return endPublishing()
        case "deleteStream":
            let id = command.arguments.first?.number.flatMap { UInt32(exactly: $0) } ?? streamID
            streams.remove(id)
            guard let publishing, publishing.streamID == id else { return nil }
            return endPublishing()
        default:
            // getStreamLength, _checkbw, play, ...: a recorder's ingest serves none of them.
            if command.transactionID != 0 { answerError(command, "\(command.name) is not supported by this server") }
            return nil
        }
    }

    private mutating func endPublishing() -> RTMPServerEvent? {
        guard let publishing else { return nil }
        self.publishing = nil
        return .unpublished(name: publishing.name)
    }

    /// The messages of an aggregate (7.1.6): FLV tags (header, body, back pointer), their
    /// timestamps moved so that the first one is the aggregate's.
    static func splitAggregate(_ message: RTMPMessage, at offset: Int64) throws(RTMPError) -> [RTMPServerEvent] {
        var reader = ByteReader(message.payload)
        var events: [RTMPServerEvent] = []
        var firstTimestamp: UInt32?
        do {
            while !reader.isAtEnd {
                let type = try reader.readInteger(UInt8.self) & 0x1F
                let size = Int(try reader.readUInt(byteCount: 3))
                let low = UInt32(try reader.readUInt(byteCount: 3))
                let timestamp = UInt32(try reader.readInteger(UInt8.self)) << 24 | low
                try reader.skip(3)  // stream ID
                let body = try reader.readBytes(size)
                try reader.skip(4)  // back pointer
                let first = firstTimestamp ?? timestamp
                firstTimestamp = first
                if let kind = FLVTag.Kind(rawValue: type) {
                    events.append(.media(kind: kind, timestamp: message.timestamp &+ (timestamp &- first), body: body))
                }
            }
        } catch {
            throw .malformedMessage(type: MessageType.aggregate.rawValue, reason: error.description, at: offset)
        }
        return events
    }

    // MARK: Output

    private mutating func acknowledgeIfDue() {
        // Only the client's own window says when it wants acknowledgements (5.4.3, 5.4.4). An
        // unasked-for one is worse than useless: ffmpeg closes its socket right after
        // deleteStream without reading, and a byte left unread there makes its kernel reset
        // the connection and drop the stream's tail that it had not sent yet.
        guard let peerWindow else { return }
        guard bytesReceived - bytesAcknowledged >= UInt64(peerWindow) else { return }
        bytesAcknowledged = bytesReceived
        // The sequence number is the byte count modulo 2^32 (5.4.3).
        send(ProtocolControlMessage.acknowledgement(sequenceNumber: UInt32(truncatingIfNeeded: bytesReceived)).message,
             on: Self.controlChunkStream)
    }

    private mutating func send(_ message: RTMPMessage, on chunkStreamID: UInt32) {
        encoder.encode(message, chunkStreamID: chunkStreamID, to: &output)
    }

    private mutating func sendCommand(_ command: CommandMessage, streamID: UInt32) {
        // Encoding fails only for a property name over 65535 bytes; ours are literals.
        guard let message = try? command.message(streamID: streamID) else { return }
        send(message, on: streamID == 0 ? Self.connectionChunkStream : Self.streamChunkStream)
    }

    private mutating func answerResult(_ command: CommandMessage, _ value: AMF0Value) {
        guard command.transactionID != 0 else { return }
        sendCommand(CommandMessage(name: "_result", transactionID: command.transactionID, arguments: [value]), streamID: 0)
    }

    /// FCPublish and FCUnpublish (Adobe's FMS extensions, which ffmpeg and OBS send): the
    /// `notice` command with a status object naming the stream, then the `_result`.
    private mutating func answerFC(_ command: CommandMessage, notice: String, code: String, name: String?) {
        sendCommand(CommandMessage(name: notice, transactionID: 0, arguments: [.object([
            .init("code", .string(code)),
            .init("description", .string(name ?? "")),
        ])]), streamID: 0)
        answerResult(command, .undefined)
    }

    private mutating func answerError(_ command: CommandMessage, _ description: String) {
        sendCommand(CommandMessage(name: "_error", transactionID: command.transactionID, arguments: [.object([
            .init("level", .string("error")),
            .init("code", .string("NetConnection.Call.Failed")),
            .init("description", .string(description)),
        ])]), streamID: 0)
    }

    private mutating func sendStatusError(code: String, description: String, streamID: UInt32) {
        sendCommand(CommandMessage(name: "onStatus", transactionID: 0, arguments: [.object([
            .init("level", .string("error")),
            .init("code", .string(code)),
            .init("description", .string(description)),
        ])]), streamID: streamID)
    }
}
