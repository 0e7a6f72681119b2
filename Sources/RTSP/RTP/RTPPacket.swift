import MediaCore

/// An RTP packet (RFC 3550 5.1): the fixed header, CSRCs and a header extension skipped,
/// padding removed. Made by parsing (tests build theirs through `@testable import`).
public struct RTPPacket: Sendable, Equatable {
    public var marker: Bool
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    public var payload: ArraySlice<UInt8>
}

// Outside the struct body, so that Swift still synthesizes the memberwise init.
extension RTPPacket {
    public init(parsing bytes: [UInt8]) throws(RTSPError) {
        var r = ByteReader(bytes)
        do {
            let first = try r.readInteger(UInt8.self)
            guard first >> 6 == 2 else { throw RTSPError.malformedRTP("version \(first >> 6), expected 2") }
            let second = try r.readInteger(UInt8.self)
            marker = second & 0x80 != 0
            payloadType = second & 0x7F
            sequenceNumber = try r.readInteger()
            timestamp = try r.readInteger()
            ssrc = try r.readInteger()
            try r.skip(4 * Int(first & 0x0F))  // CSRCs
            if first & 0x10 != 0 {  // header extension (5.3.1): profile word, length in words
                try r.skip(2)
                let words = Int(try r.readInteger(UInt16.self))
                try r.skip(4 * words)
            }
            var end = r.end
            if first & 0x20 != 0 {  // padding: the last byte counts the padding bytes
                let padding = Int(bytes[bytes.count - 1])
                guard padding >= 1, padding <= r.remaining else { throw RTSPError.malformedRTP("padding \(padding) of \(r.remaining) payload bytes") }
                end -= padding
            }
            payload = bytes[r.position..<end]
        } catch let error as RTSPError {
            throw error
        } catch {
            throw .malformedRTP("\(error)")
        }
    }

    public func serialized() -> [UInt8] {
        var w = ByteWriter(capacity: 12 + payload.count)
        w.write(UInt8(0x80))
        w.write(UInt8((marker ? 0x80 : 0) | payloadType & 0x7F))
        w.write(sequenceNumber)
        w.write(timestamp)
        w.write(ssrc)
        w.write(bytes: payload)
        return w.bytes
    }

    /// RTCP packet types 200...204 share the second byte's range with payload types 72...76
    /// when the marker is set (RFC 5761 4): an interleaved or muxed frame there is RTCP.
    public static func isRTCP(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && (200...204).contains(bytes[1])
    }
}
