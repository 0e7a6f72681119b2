/// The client's half of the handshake (5.2), plain form: C0+C1 first, C2 (S1 echoed) once S0
/// and S1 arrived, done when S2 has too. Used by tests and benchmarks that publish to the
/// server without an external encoder.
public struct HandshakeInitiator: Sendable {
    public private(set) var isComplete = false
    private var sentC2 = false

    public init() {}

    /// C0 and C1: version 3, time 0, zero, then 1528 pattern bytes.
    public func hello() -> [UInt8] {
        [HandshakeResponder.version] + [UInt8](repeating: 0, count: 8)
            + (0..<(HandshakeResponder.packetSize - 8)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
    }

    /// Advances over the start of `input` (S0, S1, S2): nil when too few bytes are there
    /// (nothing consumed), else the bytes consumed and what to send (C2, or nothing).
    public mutating func step(_ input: ArraySlice<UInt8>) throws(RTMPError) -> HandshakeResponder.Step? {
        if !sentC2 {
            guard let version = input.first else { return nil }
            guard version == HandshakeResponder.version else { throw .unsupportedVersion(version) }
            guard input.count >= 1 + HandshakeResponder.packetSize else { return nil }
            sentC2 = true
            return .init(consumed: 1 + HandshakeResponder.packetSize,
                         reply: Array(input.dropFirst().prefix(HandshakeResponder.packetSize)))
        }
        guard !isComplete, input.count >= HandshakeResponder.packetSize else { return nil }
        isComplete = true
        return .init(consumed: HandshakeResponder.packetSize, reply: [])
    }
}
