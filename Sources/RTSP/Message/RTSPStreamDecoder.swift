import Containers

/// The incremental decoder of an RTSP TCP connection: bytes in, `RTSPStreamItem`s out.
///
/// `next()` returns nil for "need more bytes" and consumes nothing then. Interleaved frames
/// and messages mix freely (cameras answer a keepalive between RTP frames). Bytes that start
/// neither are skipped one at a time and counted: cameras that pad with NULs or resend half a
/// frame after a reconnect do not stop the stream.
public struct RTSPStreamDecoder: Sendable {
    public struct Limits: Sendable, Equatable {
        /// Start line and headers: a camera's DESCRIBE answer head is under 2 KiB.
        public var maxHeadBytes = 16 * 1024
        /// A body (the SDP): a few KiB even with large parameter sets.
        public var maxBodyBytes = 256 * 1024
        public init() {}
    }

    public let limits: Limits
    private var buffer = InputBuffer()
    /// Junk bytes skipped so far.
    public private(set) var skippedBytes = 0

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    public mutating func push<C: Collection<UInt8>>(_ bytes: C) {
        buffer.append(bytes)
    }

    /// Appends what `fill` reads (a socket read) straight into the decoder's buffer, with no
    /// copy (`InputBuffer.append(upTo:from:)`), as RTMP's and MPEG-TS's readers take theirs.
    public mutating func push<Outcome>(upTo maximum: Int,
                                       from fill: (UnsafeMutableRawBufferPointer) -> (count: Int, outcome: Outcome)) -> Outcome {
        buffer.append(upTo: maximum, from: fill)
    }

    /// Bytes pushed and not yet decoded.
    public var bufferedCount: Int { buffer.count }

    public mutating func next() throws(RTSPError) -> RTSPStreamItem? {
        while !buffer.isEmpty {
            if buffer[0] == UInt8(ascii: "$") {
                guard buffer.count >= 4 else { return nil }
                let length = Int(buffer.integer(at: 2, width: 2))
                guard buffer.count >= 4 + length else { return nil }
                let item = RTSPStreamItem.interleaved(channel: buffer[1], payload: buffer.bytes(from: 4, count: length))
                buffer.consume(4 + length)
                return item
            }
            switch startsMessage() {
            case .some(true):
                return try decodeMessage()
            case .some(false):
                buffer.consume(1)
                skippedBytes += 1
            case .none:
                return nil
            }
        }
        return nil
    }

    /// Longest method name we accept (GET_PARAMETER is 13).
    static let maxMethodLength = 32

    /// Whether the buffer starts with "RTSP/" or a method token and a space; nil: too few bytes
    /// to tell.
    private func startsMessage() -> Bool? {
        let prefix = Array("RTSP/".utf8)
        var i = 0
        while i < buffer.count && i < prefix.count {
            if buffer[i] != prefix[i] { break }
            i += 1
        }
        if i == prefix.count { return true }
        if i == buffer.count { return nil }
        i = 0
        while i < buffer.count {
            let c = buffer[i]
            if c == UInt8(ascii: " ") { return i > 0 }
            let isToken = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c) || c == UInt8(ascii: "_")
            if !isToken || i >= Self.maxMethodLength { return false }
            i += 1
        }
        return nil
    }

    private mutating func decodeMessage() throws(RTSPError) -> RTSPStreamItem? {
        // The head ends at an empty line; cameras that end lines with a bare LF are accepted.
        var end: Int?
        var i = 0
        while i < buffer.count && i < limits.maxHeadBytes + 4 {
            if buffer[i] == 0x0A {
                if i + 1 < buffer.count && buffer[i + 1] == 0x0A { end = i + 2; break }
                if i + 2 < buffer.count && buffer[i + 1] == 0x0D && buffer[i + 2] == 0x0A { end = i + 3; break }
            }
            i += 1
        }
        guard let headLength = end else {
            if buffer.count > limits.maxHeadBytes {
                throw .limitExceeded(what: "message head", size: buffer.count, limit: limits.maxHeadBytes)
            }
            return nil
        }
        guard headLength <= limits.maxHeadBytes else {
            throw .limitExceeded(what: "message head", size: headLength, limit: limits.maxHeadBytes)
        }
        let head = buffer.bytes(from: 0, count: headLength)
        var message: RTSPMessage
        do {
            message = try Self.parseHead(head)
        } catch {
            buffer.consume(headLength)  // refused once, not again on the next call
            throw error
        }
        var bodyLength = 0
        if let text = message["Content-Length"] {
            guard let length = Int(text.trimmingSpaces), length >= 0 else {
                buffer.consume(headLength)
                throw .malformedMessage("Content-Length '\(text)'")
            }
            bodyLength = length
        }
        guard bodyLength <= limits.maxBodyBytes else {
            buffer.consume(headLength)
            throw .limitExceeded(what: "message body", size: bodyLength, limit: limits.maxBodyBytes)
        }
        guard buffer.count >= headLength + bodyLength else { return nil }
        message.body = buffer.bytes(from: headLength, count: bodyLength)
        buffer.consume(headLength + bodyLength)
        return .message(message)
    }

    /// A start line and header lines; lines that are not `Name: value` are ignored, and a line
    /// starting with a space continues the previous header (RFC 2326 4.2 via RFC 822).
    static func parseHead(_ bytes: [UInt8]) throws(RTSPError) -> RTSPMessage {
        let text = String(decoding: bytes, as: UTF8.self)
        // "\r\n" is one Character in Swift: split on either form.
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let first = lines.first else { throw .malformedMessage("empty message") }
        let parts = first.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        let startLine: RTSPMessage.StartLine
        if first.hasPrefix("RTSP/") {
            guard parts.count >= 2, let status = Int(parts[1]), (100...999).contains(status) else {
                throw .malformedMessage("status line '\(first.prefix(80))'")
            }
            startLine = .response(status: status, reason: parts.count > 2 ? String(parts[2]) : "")
        } else {
            guard parts.count >= 2 else { throw .malformedMessage("request line '\(first.prefix(80))'") }
            startLine = .request(method: String(parts[0]), uri: String(parts[1]))
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            if let c = line.first, c == " " || c == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += " " + line.trimmingSpaces
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingSpaces
            guard !name.isEmpty else { continue }
            headers.append((name, line[line.index(after: colon)...].trimmingSpaces))
        }
        return RTSPMessage(startLine: startLine, headers: headers)
    }
}
