import Containers
/// Reassembles messages from a peer's chunk stream (RTMP 1.0, 5.3): push bytes in, pull
/// messages out. `next()` returns nil when the buffer ends inside a chunk and has then consumed
/// nothing, so a socket may deliver any split of the stream.
///
/// Each chunk stream keeps the fields of its last header (5.3.1.2): type 1, 2 and 3 headers
/// inherit what they omit, and a type 3 header that starts a message adds the same delta again
/// (after a type 0 header, that delta is the type 0 timestamp, as 5.3.1.2.4 says). Timestamps
/// add modulo 2^32; the receiver unwraps them.
///
/// Set Chunk Size and Abort act here, when their message completes, because they change how
/// the following chunks are cut; they are returned like any other message.
public struct ChunkStreamDecoder: Sendable {
    public struct Limits: Sendable, Equatable {
        /// A 4K keyframe at 50 Mbps is about 2 MiB; the 24-bit length field allows 16 MiB. A
        /// larger declared length is an attack or a bug, refused before memory is given to it.
        public var maxMessageLength = 8 * 1024 * 1024
        /// Partial messages over all chunk streams together: a publisher interleaves one video
        /// and one audio message, so two maximal messages' worth.
        public var maxBufferedBytes = 16 * 1024 * 1024
        /// Publishers use five or six chunk streams (control, commands, audio, video, data).
        public var maxChunkStreams = 64

        public init() {}
    }

    /// Chunk size until the peer sets another (5.4.1).
    public static let defaultChunkSize = 128

    public let limits: Limits
    /// The peer's current chunk size.
    public private(set) var chunkSize = Self.defaultChunkSize
    /// Bytes consumed so far plus the offset given at creation: where the next chunk starts.
    public private(set) var offset: Int64

    private var buffer = InputBuffer()
    private var streams: [UInt32: ChunkStreamState] = [:]
    /// Partial payloads by chunk stream, apart from the small header state so that appending
    /// a chunk never copies what came before.
    private var payloads: [UInt32: [UInt8]] = [:]
    private var bufferedBytes = 0

    /// `startOffset` is the connection offset of the first byte pushed (after the handshake).
    public init(limits: Limits = Limits(), startOffset: Int64 = 0) {
        self.limits = limits
        offset = startOffset
    }

    /// Bytes pushed and not yet consumed.
    public var pendingByteCount: Int { buffer.count }

    public mutating func push<C: Collection<UInt8>>(_ bytes: C) {
        buffer.append(bytes)
    }

    /// Pushes what `fill` reads (a socket read) straight into the decoder's buffer, with no
    /// copy (`InputBuffer.append(upTo:from:)`).
    public mutating func push<Outcome>(upTo maximum: Int,
                                       from fill: (UnsafeMutableRawBufferPointer) -> (count: Int, outcome: Outcome)) -> Outcome {
        buffer.append(upTo: maximum, from: fill)
    }

    /// The next complete message; nil when more bytes are needed (nothing consumed then).
    /// After an error the stream cannot be resynchronized: close the connection.
    public mutating func next() throws(RTMPError) -> RTMPMessage? {
        while true {
            guard let header = ChunkHeader.parse(buffer, type3HasExtendedTimestamp: { streams[$0]?.hasExtendedTimestamp ?? false }) else {
                return nil
            }
            let csid = header.chunkStreamID
            let previous = streams[csid]
            if previous == nil {
                guard header.format == .full else {
                    throw .missingPreviousHeader(format: header.format.rawValue, chunkStreamID: csid, at: offset)
                }
                guard streams.count < limits.maxChunkStreams else { throw .tooManyChunkStreams(limit: limits.maxChunkStreams, at: offset) }
            }
            var state = previous ?? ChunkStreamState()
            let continuing = state.received != nil
            if continuing {
                guard header.format == .continuation else {
                    throw .headerInsideMessage(format: header.format.rawValue, chunkStreamID: csid, at: offset)
                }
            } else {
                state.start(with: header)
                guard state.messageLength <= limits.maxMessageLength else {
                    throw .messageTooLong(length: state.messageLength, limit: limits.maxMessageLength, chunkStreamID: csid, at: offset)
                }
                guard bufferedBytes + state.messageLength <= limits.maxBufferedBytes else {
                    throw .tooManyBufferedBytes(limit: limits.maxBufferedBytes, at: offset)
                }
            }
            let received = state.received ?? 0
            let payloadLength = min(chunkSize, state.messageLength - received)
            guard buffer.count >= header.size + payloadLength else { return nil }

            // The whole chunk is here: commit.
            if !continuing {
                bufferedBytes += state.messageLength
                // The whole message's room at once (counted in bufferedBytes already): grown
                // chunk by chunk, the array was copied again at each doubling.
                payloads[csid, default: []].reserveCapacity(state.messageLength)
            }
            if payloadLength > 0 {
                buffer.copy(from: header.size, count: payloadLength, into: &payloads[csid, default: []])
            }
            buffer.consume(header.size + payloadLength)
            let chunkOffset = offset
            offset += Int64(header.size + payloadLength)
            state.received = received + payloadLength
            guard state.received == state.messageLength else {
                streams[csid] = state
                continue
            }
            let message = RTMPMessage(typeID: state.typeID, timestamp: state.timestamp, streamID: state.streamID,
                                      payload: payloads.removeValue(forKey: csid) ?? [])
            bufferedBytes -= state.messageLength
            state.received = nil
            streams[csid] = state
            if let type = message.type, type.isChunkControl {
                try apply(message, at: chunkOffset)
            }
            return message
        }
    }

    private mutating func apply(_ message: RTMPMessage, at chunkOffset: Int64) throws(RTMPError) {
        switch try ProtocolControlMessage(message, at: chunkOffset) {
        case let .setChunkSize(size)?:
            // Sizes past the largest message are equivalent to it (5.4.1); Int stays small.
            chunkSize = Int(min(size, UInt32(ChunkHeader.maxMessageLength)))
        case let .abort(id)?:
            guard var state = streams[id], state.received != nil else { return }
            bufferedBytes -= state.messageLength
            state.received = nil
            streams[id] = state
            payloads[id] = nil
        default:
            break
        }
    }
}

/// What one chunk stream remembers between chunks.
struct ChunkStreamState: Sendable {
    /// Absolute timestamp of the current (or last) message.
    var timestamp: UInt32 = 0
    /// The last type 0, 1 or 2 header's timestamp field: what a type 3 header that starts a
    /// message adds.
    var timestampField: UInt32 = 0
    var hasExtendedTimestamp = false
    var messageLength = 0
    var typeID: UInt8 = 0
    var streamID: UInt32 = 0
    /// Payload bytes received of the current message; nil between messages.
    var received: Int?

    /// Takes a header that starts a message. Each header format carries a subset of the one
    /// before it (5.3.1.2): type 0 everything, type 1 all but the stream id, type 2 only the
    /// timestamp delta, type 3 nothing; what a header leaves out stays as it was.
    mutating func start(with header: ChunkHeader) {
        received = 0
        guard header.format != .continuation else {
            // The extended field, when present, repeats the delta; the remembered one counts.
            timestamp &+= timestampField
            return
        }
        timestamp = header.format == .full ? header.timestamp : timestamp &+ header.timestamp
        timestampField = header.timestamp
        hasExtendedTimestamp = header.hasExtendedTimestamp
        if header.format != .timestampDelta {
            messageLength = header.messageLength
            typeID = header.messageTypeID
        }
        if header.format == .full { streamID = header.messageStreamID }
    }
}
