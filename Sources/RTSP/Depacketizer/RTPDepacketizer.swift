/// What a depacketizer hands on: one access unit (video: its NAL units; audio: one frame in
/// `units[0]`) at an RTP timestamp.
public struct RTPAccessUnit: Sendable, Equatable {
    public var rtpTimestamp: UInt32
    public var units: [ArraySlice<UInt8>]

    public init(rtpTimestamp: UInt32, units: [ArraySlice<UInt8>]) {
        self.rtpTimestamp = rtpTimestamp
        self.units = units
    }
}

/// Turns a track's RTP packets, in sequence order, into access units. `packetsLost()` says
/// a sequence gap came before the next packet: the frame being assembled is damaged and
/// dropped, the frames around it are kept.
public protocol RTPDepacketizer: Sendable {
    mutating func push(_ packet: RTPPacket) throws(RTSPError) -> [RTPAccessUnit]
    mutating func packetsLost()
    /// The access unit still being collected at the end of the stream (a camera that never
    /// sets the marker bit ends its last one only by stopping).
    mutating func finish() -> [RTPAccessUnit]
}

extension RTPDepacketizer {
    public mutating func finish() -> [RTPAccessUnit] { [] }
}

/// Limits shared by the depacketizers.
public enum RTPDepacketizerLimits {
    /// An access unit larger than this is dropped: 8 MiB holds a 4K intra frame at 50 Mbps.
    public static let maxAccessUnitBytes = 8 << 20
    /// NAL units in one access unit: slices of a 4K frame plus SEI stay far below.
    public static let maxUnitsPerAccessUnit = 1024
}
