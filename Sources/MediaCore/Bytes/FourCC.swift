/// A four-character code such as a box type (`moov`) or a sample entry (`avc1`).
public struct FourCC: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `string` must be exactly four ASCII characters.
    public init(_ string: String) {
        let scalars = Array(string.utf8)
        precondition(scalars.count == 4, "a FourCC has four ASCII characters: \(string)")
        rawValue = scalars.reduce(0) { ($0 << 8) | UInt32($1) }
    }

    public init(stringLiteral value: String) { self.init(value) }

    public var bytes: [UInt8] {
        [UInt8(rawValue >> 24), UInt8((rawValue >> 16) & 0xFF), UInt8((rawValue >> 8) & 0xFF), UInt8(rawValue & 0xFF)]
    }

    public var description: String {
        String(decoding: bytes.map { (0x20..<0x7F).contains($0) ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }
}
