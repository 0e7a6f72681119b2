import MediaCore

/// AAC as `mpeg4-generic` (RFC 3640, modes AAC-hbr and AAC-lbr): a 16-bit AU-headers-length in
/// bits, the AU headers (`sizeLength` bits of size, then `indexLength` bits of index for the
/// first and `indexDeltaLength` for the others), then the AUs back to back. Several AUs in a
/// packet get consecutive timestamps `frameDuration` apart; one AU larger than a packet comes
/// in fragments with the same timestamp, the last one marked (3.2.3).
public struct MPEG4GenericDepacketizer: RTPDepacketizer {
    public let sizeLength: Int
    public let indexLength: Int
    public let indexDeltaLength: Int
    /// One AU's duration in RTP clock ticks (1024 samples for AAC at the clock's rate).
    public let frameDuration: UInt32
    private var fragment: [UInt8]?
    private var fragmentSize = 0
    private var damaged = false

    /// AU headers in one packet: 60 kbit of headers is more than a jumbo frame holds.
    static let maxAUHeaders = 4096

    public init(sizeLength: Int, indexLength: Int, indexDeltaLength: Int, frameDuration: UInt32) throws(RTSPError) {
        guard (1...32).contains(sizeLength), (0...32).contains(indexLength), (0...32).contains(indexDeltaLength) else {
            throw .malformedPayload(codec: "mpeg4-generic", reason: "sizelength \(sizeLength), indexlength \(indexLength), indexdeltalength \(indexDeltaLength)")
        }
        self.sizeLength = sizeLength
        self.indexLength = indexLength
        self.indexDeltaLength = indexDeltaLength
        self.frameDuration = frameDuration
    }

    public mutating func push(_ packet: RTPPacket) throws(RTSPError) -> [RTPAccessUnit] {
        let payload = Array(packet.payload)
        guard payload.count >= 2 else { throw .malformedPayload(codec: "mpeg4-generic", reason: "\(payload.count) bytes") }
        let headerBits = Int(payload[0]) << 8 | Int(payload[1])
        let headerBytes = (headerBits + 7) / 8
        guard 2 + headerBytes <= payload.count else {
            throw .malformedPayload(codec: "mpeg4-generic", reason: "AU headers of \(headerBits) bits in \(payload.count) bytes")
        }
        var bits = BitReader(Array(payload[2..<(2 + headerBytes)]))
        var sizes: [Int] = []
        while bits.bitsRemaining >= sizeLength + (sizes.isEmpty ? indexLength : indexDeltaLength),
              headerBits - bits.bitPosition >= sizeLength {
            guard sizes.count < Self.maxAUHeaders else { break }
            let size: UInt32, index: UInt32
            do {
                size = try bits.readBits(sizeLength)
                index = try bits.readBits(sizes.isEmpty ? indexLength : indexDeltaLength)
            } catch {
                throw .malformedPayload(codec: "mpeg4-generic", reason: "AU header: \(error)")
            }
            // Interleaving (a nonzero index delta) reorders AUs across packets; cameras do not.
            guard sizes.isEmpty || index == 0 else {
                throw .malformedPayload(codec: "mpeg4-generic", reason: "interleaved AUs (index delta \(index))")
            }
            sizes.append(Int(size))
        }
        var data = payload[(2 + headerBytes)...]
        // A fragment: one AU header whose size exceeds the data here.
        if sizes.count == 1, sizes[0] > data.count || fragment != nil {
            if fragment == nil {
                fragment = []
                fragmentSize = sizes[0]
            } else if sizes[0] != fragmentSize {
                damaged = true
            }
            fragment!.append(contentsOf: data)
            guard fragment!.count <= fragmentSize, fragment!.count <= RTPDepacketizerLimits.maxAccessUnitBytes else {
                fragment = nil
                damaged = false
                throw .malformedPayload(codec: "mpeg4-generic", reason: "fragments exceed the AU size \(fragmentSize)")
            }
            guard packet.marker || fragment!.count == fragmentSize else { return [] }
            defer { fragment = nil; damaged = false }
            guard !damaged, fragment!.count == fragmentSize else { return [] }
            return [RTPAccessUnit(rtpTimestamp: packet.timestamp, units: [fragment![...]])]
        }
        var units: [RTPAccessUnit] = []
        for (i, size) in sizes.enumerated() {
            guard size <= data.count else {
                throw .malformedPayload(codec: "mpeg4-generic", reason: "AU \(i) of \(size) bytes, \(data.count) left")
            }
            units.append(RTPAccessUnit(rtpTimestamp: packet.timestamp &+ UInt32(i) &* frameDuration,
                                       units: [data.prefix(size)]))
            data = data.dropFirst(size)
        }
        return units
    }

    public mutating func packetsLost() {
        if fragment != nil { damaged = true }
    }
}
