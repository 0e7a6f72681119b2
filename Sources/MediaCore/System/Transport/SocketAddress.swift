#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Socket addresses as text: `address:port` for IPv4, `[address]:port` for IPv6, the forms
/// logs, events and the publish rules use.
public enum SocketAddress {
    /// The peer of a connected socket, nil when the kernel cannot say. The corresponding C
    /// functions are `getpeername` and `inet_ntop`.
    public static func peer(of descriptor: Int32) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(descriptor, $0, &length) }
        }
        guard rc == 0 else { return nil }
        return text(of: storage)
    }

    /// `storage` as `address:port` / `[address]:port`; nil for other families.
    public static func text(of storage: sockaddr_storage) -> String? {
        switch Int32(storage.ss_family) {
        case AF_INET:
            return text(of: storage, as: sockaddr_in.self, family: AF_INET, ip: \.sin_addr, port: \.sin_port, bracketed: false)
        case AF_INET6:
            return text(of: storage, as: sockaddr_in6.self, family: AF_INET6, ip: \.sin6_addr, port: \.sin6_port, bracketed: true)
        default:
            return nil
        }
    }

    /// `storage` read as the family's own address type (`sockaddr_in`, `sockaddr_in6`): its
    /// numeric address from `inet_ntop`, then the port.
    private static func text<Address, IP>(of storage: sockaddr_storage, as _: Address.Type, family: Int32,
                                          ip: KeyPath<Address, IP>, port: KeyPath<Address, in_port_t>,
                                          bracketed: Bool) -> String? {
        var storage = storage
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: Address.self, capacity: 1) { address -> String? in
                var numeric = address.pointee[keyPath: ip]
                var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                guard inet_ntop(family, &numeric, &text, socklen_t(text.count)) != nil else { return nil }
                let host = string(text)
                let portNumber = UInt16(bigEndian: address.pointee[keyPath: port])
                return bracketed ? "[\(host)]:\(portNumber)" : "\(host):\(portNumber)"
            }
        }
    }

    /// The host part of `address:port` / `[address]:port` (or of a bare address).
    public static func host(of text: String) -> String {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            return String(text[text.index(after: text.startIndex)..<close])
        }
        // One colon: IPv4 with a port. More: a bare IPv6 address.
        let colons = text.filter { $0 == ":" }.count
        if colons == 1, let colon = text.firstIndex(of: ":") { return String(text[..<colon]) }
        return text
    }

    /// The 4 or 16 bytes of a numeric IPv4 or IPv6 address; nil when `host` is neither. An
    /// IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) gives the 4 IPv4 bytes, so that one rule
    /// covers a client however the listening socket saw it. The corresponding C function is
    /// `inet_pton`.
    public static func bytes(ofNumericHost host: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, host, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }

    private static func string(_ text: [CChar]) -> String {
        String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
