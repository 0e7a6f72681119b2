import MediaCore

/// The --allow-publish and --deny-publish lists. The most specific block that holds the
/// address decides (the longest prefix; a deny wins a tie), so `--deny-publish 0.0.0.0/0
/// --allow-publish 10.1.0.0/16` and `--allow-publish 10.0.0.0/8 --deny-publish 10.6.6.6`
/// both read as meant. An address no block holds is allowed when there are no allow blocks,
/// refused when there are (an allow list names who may publish).
public struct AddressRules: Sendable, Equatable {
    public var allow: [AddressBlock] = []
    public var deny: [AddressBlock] = []

    public init(allow: [AddressBlock] = [], deny: [AddressBlock] = []) {
        self.allow = allow
        self.deny = deny
    }

    public var isEmpty: Bool { allow.isEmpty && deny.isEmpty }

    /// nil when `host` may publish; else the reason, naming the rule.
    public func refusal(forHost host: String?) -> String? {
        guard !isEmpty else { return nil }
        guard let host, let bytes = SocketAddress.bytes(ofNumericHost: host) else {
            return "the client's address is unknown and address rules are set"
        }
        let bestAllow = allow.filter { $0.contains(bytes) }.max { $0.prefixLength < $1.prefixLength }
        let bestDeny = deny.filter { $0.contains(bytes) }.max { $0.prefixLength < $1.prefixLength }
        switch (bestAllow, bestDeny) {
        case let (a?, d?):
            return a.prefixLength > d.prefixLength ? nil : "\(host) is in denied block \(d)"
        case (_?, nil):
            return nil
        case let (nil, d?):
            return "\(host) is in denied block \(d)"
        case (nil, nil):
            return allow.isEmpty ? nil : "\(host) is in no allowed block"
        }
    }
}
