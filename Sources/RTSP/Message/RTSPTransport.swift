/// The Transport header (RFC 2326 12.39) as far as unicast RTP needs it: over the RTSP
/// connection (`RTP/AVP/TCP;interleaved=0-1`) or over UDP (`RTP/AVP;client_port=a-b`).
public struct RTSPTransport: Sendable, Equatable {
    public var isTCP: Bool
    /// The RTP and RTCP channels of interleaved frames.
    public var interleaved: ClosedRange<Int>?
    public var clientPorts: ClosedRange<Int>?
    public var serverPorts: ClosedRange<Int>?
    /// `record` for a publisher's SETUP (RFC 2326 12.39 mode).
    public var mode: String?
    public var ssrc: UInt32?

    public init(isTCP: Bool, interleaved: ClosedRange<Int>? = nil, clientPorts: ClosedRange<Int>? = nil,
                serverPorts: ClosedRange<Int>? = nil, mode: String? = nil) {
        self.isTCP = isTCP
        self.interleaved = interleaved
        self.clientPorts = clientPorts
        self.serverPorts = serverPorts
        self.mode = mode
    }

    /// The first transport of the header's list that is RTP; nil when none is.
    public init?(parsing header: String) {
        for spec in header.split(separator: ",") {
            let parts = spec.split(separator: ";").map { $0.trimmingSpaces }
            guard let profile = parts.first?.uppercased(), profile.hasPrefix("RTP/AVP") else { continue }
            isTCP = profile.hasSuffix("/TCP")
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { String($0) }
                let value = pair.count == 2 ? pair[1].trimmingCharacters(in: "\"") : ""
                switch pair[0].lowercased() {
                case "interleaved": interleaved = Self.range(value, max: 255)
                case "client_port": clientPorts = Self.range(value, max: 65535)
                case "server_port": serverPorts = Self.range(value, max: 65535)
                case "mode": mode = value.lowercased()
                case "ssrc": ssrc = UInt32(value, radix: 16)
                default: break
                }
            }
            return
        }
        return nil
    }

    /// `a-b` or a lone `a` (then `a-(a+1)`), within 0...max.
    static func range(_ text: String, max: Int) -> ClosedRange<Int>? {
        let bounds = text.split(separator: "-").compactMap { Int($0.trimmingSpaces) }
        guard let low = bounds.first, (0...max).contains(low) else { return nil }
        let high = bounds.count > 1 ? bounds[1] : Swift.min(low + 1, max)
        guard (low...max).contains(high) else { return nil }
        return low...high
    }

    public var headerValue: String {
        var parts = [isTCP ? "RTP/AVP/TCP" : "RTP/AVP", "unicast"]
        if let r = interleaved { parts.append("interleaved=\(r.lowerBound)-\(r.upperBound)") }
        if let r = clientPorts { parts.append("client_port=\(r.lowerBound)-\(r.upperBound)") }
        if let r = serverPorts { parts.append("server_port=\(r.lowerBound)-\(r.upperBound)") }
        if let mode { parts.append("mode=\(mode)") }
        return parts.joined(separator: ";")
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
