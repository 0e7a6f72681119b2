import MediaCore

/// An IPv4 or IPv6 address block in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`); a bare
/// address is a block of one (`/32`, `/128`). IPv4-mapped IPv6 clients match IPv4 blocks.
public struct AddressBlock: Sendable, Equatable, CustomStringConvertible {
    /// The network's bytes (4 or 16), host bits cleared.
    public let network: [UInt8]
    public let prefixLength: Int
    public let description: String

    public init(parsing text: String) throws(AddressBlockError) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = SocketAddress.bytes(ofNumericHost: String(parts[0])) else {
            throw AddressBlockError("'\(text)' is not an IPv4 or IPv6 address block (such as 10.0.0.0/8 or 2001:db8::/32)")
        }
        let bits = bytes.count * 8
        var length = bits
        if parts.count == 2 {
            guard let n = Int(parts[1]), (0...bits).contains(n) else {
                throw AddressBlockError("'\(text)': the prefix length must be 0...\(bits)")
            }
            length = n
        }
        // `::ffff:10.0.0.0/104` arrives as 4 bytes: its prefix counts the 96 mapped bits too.
        if bytes.count == 4 && String(parts[0]).contains(":") { length = max(0, length - 96) }
        network = Self.masked(bytes, length)
        prefixLength = length
        description = text
    }

    /// Whether the numeric address `host` lies in the block.
    public func contains(host: String) -> Bool {
        guard let bytes = SocketAddress.bytes(ofNumericHost: host) else { return false }
        return contains(bytes)
    }

    public func contains(_ bytes: [UInt8]) -> Bool {
        bytes.count == network.count && Self.masked(bytes, prefixLength) == network
    }

    private static func masked(_ bytes: [UInt8], _ length: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let kept = min(8, max(0, length - index * 8))
            return kept == 0 ? 0 : byte & ~UInt8(0xFF >> kept)
        }
    }
}

public struct AddressBlockError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
