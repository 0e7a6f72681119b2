import MediaCore

/// AAC as `MP4A-LATM` (RFC 6416) with `cpresent=0` (the StreamMuxConfig is in the SDP, as
/// GStreamer's rtpmp4apay sends it), one program and layer, all streams with the same time
/// framing: each audioMuxElement is a PayloadLengthInfo (bytes of 255 then the rest, ISO/IEC
/// 14496-3 1.7.3) and the AU. A large element spans packets up to the marked one.
public struct LATMDepacketizer: RTPDepacketizer {
    public let frameDuration: UInt32
    private var pending: [UInt8] = []
    private var damaged = false

    public init(frameDuration: UInt32) {
        self.frameDuration = frameDuration
    }

    public mutating func push(_ packet: RTPPacket) throws(RTSPError) -> [RTPAccessUnit] {
        pending.append(contentsOf: packet.payload)
        guard pending.count <= RTPDepacketizerLimits.maxAccessUnitBytes else {
            pending = []
            throw .limitExceeded(what: "LATM element", size: RTPDepacketizerLimits.maxAccessUnitBytes + 1, limit: RTPDepacketizerLimits.maxAccessUnitBytes)
        }
        guard packet.marker else { return [] }
        defer { pending = []; damaged = false }
        guard !damaged else { return [] }
        var units: [RTPAccessUnit] = []
        var i = 0
        while i < pending.count {
            var length = 0
            while i < pending.count {
                let byte = pending[i]
                i += 1
                length += Int(byte)
                if byte != 255 { break }
            }
            guard length > 0, i + length <= pending.count else {
                throw .malformedPayload(codec: "MP4A-LATM", reason: "element of \(length) bytes, \(pending.count - i) left")
            }
            units.append(RTPAccessUnit(rtpTimestamp: packet.timestamp &+ UInt32(units.count) &* frameDuration,
                                       units: [pending[i..<(i + length)]]))
            i += length
        }
        return units
    }

    public mutating func packetsLost() {
        if !pending.isEmpty { damaged = true }
    }

    /// The AudioSpecificConfig inside a StreamMuxConfig (the SDP's `config=`) with
    /// audioMuxVersion 0, the version cpresent=0 senders use; it is not byte-aligned there
    /// (it starts at bit 15), so it is re-read and re-written.
    public static func audioSpecificConfig(streamMuxConfig: [UInt8]) throws(RTSPError) -> [UInt8] {
        var bits = BitReader(streamMuxConfig)
        do {
            guard try bits.readBits(1) == 0 else {
                throw RTSPError.malformedPayload(codec: "MP4A-LATM", reason: "audioMuxVersion 1 in config not supported")
            }
            _ = try bits.readBits(1)  // allStreamsSameTimeFraming
            _ = try bits.readBits(6)  // numSubFrames
            guard try bits.readBits(4) == 0, try bits.readBits(3) == 0 else {
                throw RTSPError.malformedPayload(codec: "MP4A-LATM", reason: "more than one program or layer")
            }
            var shifted: [UInt8] = []
            while bits.bitsRemaining >= 8 { shifted.append(UInt8(try bits.readBits(8))) }
            if bits.bitsRemaining > 0 {
                let n = bits.bitsRemaining
                shifted.append(UInt8(try bits.readBits(n) << (8 - n)))
            }
            return try AudioSpecificConfig(parsing: shifted).serialized()
        } catch let error as RTSPError {
            throw error
        } catch {
            throw .malformedPayload(codec: "MP4A-LATM", reason: "StreamMuxConfig: \(error)")
        }
    }
}
