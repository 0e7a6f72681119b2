/// What a receive loop needs from either kind of socket, so that one loop reads MPEG-TS from
/// a UDP port or a TCP connection alike.
public protocol ReceivingSocket: Sendable {
    /// `host:port` as given, for error messages.
    var address: String { get }
    /// Whether input arrives before `deadline` (forever when nil); `.now` only looks.
    func waitReadable(until deadline: ContinuousClock.Instant?) throws(SocketError) -> Bool
    /// Reads what is there (a datagram, or stream bytes) into `buffer`; 0 at the end of a
    /// stream. A datagram's `sender` is set to its `address:port`.
    func receive(into buffer: UnsafeMutableRawBufferPointer, sender: inout String?) throws(SocketError) -> Int
    func close()
}

extension ReceivingSocket {
    /// `receive(into:sender:)` into the whole of an array.
    public func receive(into buffer: inout [UInt8], sender: inout String?) throws(SocketError) -> Int {
        try buffer.withUnsafeMutableBytes { raw in
            Result { () throws(SocketError) in try receive(into: raw, sender: &sender) }
        }.get()
    }

    /// Reads what is there, not asking who sent it.
    public func receive(into buffer: inout [UInt8]) throws(SocketError) -> Int {
        var sender: String?
        return try receive(into: &buffer, sender: &sender)
    }
}
