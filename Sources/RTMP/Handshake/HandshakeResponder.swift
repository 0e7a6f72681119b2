/// The server's half of the RTMP handshake (RTMP 1.0, section 5.2):
///
/// ```
/// client                          server
///   C0 (1: version 3) + C1 (1536) ──▶
///                                ◀── S0 (1: version 3) + S1 (1536) + S2 (1536: C1 echoed)
///   C2 (1536: S1 echoed)         ──▶
/// ```
///
/// C1/S1 are time (4), zero (4), random (1528). S1's second field is zero, which tells clients
/// that speak the digest form (ffmpeg, Flash) not to verify one; publishers accept this plain
/// form. C2 is not compared with S1: digest-form clients send something else there, and
/// nothing later depends on it.
public struct HandshakeResponder: Sendable {
    /// C1, S1, C2 and S2 are this long (5.2.3).
    public static let packetSize = 1536
    /// Plain RTMP. 6 (RTMPE) and others are refused.
    public static let version: UInt8 = 3

    public enum State: Sendable, Equatable {
        case awaitingC0C1
        case awaitingC2
        case complete
    }

    /// What one step consumed and what to send back.
    public struct Step: Sendable, Equatable {
        public var consumed: Int
        public var reply: [UInt8]

        public init(consumed: Int, reply: [UInt8]) {
            self.consumed = consumed
            self.reply = reply
        }
    }

    public private(set) var state: State = .awaitingC0C1
    private let serverTime: UInt32
    private let randomBytes: [UInt8]

    /// `serverTime` and `randomBytes` (1528 bytes) fill S1; the defaults are the clock and the
    /// system's random generator. Tests pass fixed ones.
    public init(serverTime: UInt32 = 0, randomBytes: [UInt8]? = nil) {
        self.serverTime = serverTime
        if let randomBytes, randomBytes.count == Self.packetSize - 8 {
            self.randomBytes = randomBytes
        } else {
            var generator = SystemRandomNumberGenerator()
            self.randomBytes = (0..<(Self.packetSize - 8)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
    }

    /// Advances over the start of `input`: nil when it holds too few bytes for the next step
    /// (nothing is consumed then), otherwise the bytes consumed and the reply to send.
    public mutating func step(_ input: ArraySlice<UInt8>) throws(RTMPError) -> Step? {
        switch state {
        case .awaitingC0C1:
            guard let version = input.first else { return nil }
            // Refuse a wrong version from its first byte: no need to wait for C1.
            guard version == Self.version else { throw .unsupportedVersion(version) }
            guard input.count >= 1 + Self.packetSize else { return nil }
            let c1 = input.dropFirst().prefix(Self.packetSize)
            var reply: [UInt8] = []
            reply.reserveCapacity(1 + 2 * Self.packetSize)
            reply.append(Self.version)
            // S1: time, zero, random.
            reply.append(contentsOf: [UInt8(serverTime >> 24), UInt8(truncatingIfNeeded: serverTime >> 16),
                                      UInt8(truncatingIfNeeded: serverTime >> 8), UInt8(truncatingIfNeeded: serverTime)])
            reply.append(contentsOf: [0, 0, 0, 0])
            reply.append(contentsOf: randomBytes)
            // S2: C1 echoed (5.2.4: time, time2, random echo).
            reply.append(contentsOf: c1)
            state = .awaitingC2
            return Step(consumed: 1 + Self.packetSize, reply: reply)
        case .awaitingC2:
            guard input.count >= Self.packetSize else { return nil }
            state = .complete
            return Step(consumed: Self.packetSize, reply: [])
        case .complete:
            return nil
        }
    }

    public var isComplete: Bool { state == .complete }
}
