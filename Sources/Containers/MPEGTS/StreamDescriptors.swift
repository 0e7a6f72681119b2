import MediaCore

/// The descriptors of a PMT stream entry that say what a private-data stream (stream_type
/// 0x06) carries (ISO/IEC 13818-1 2.6; ETSI EN 300 468 annex D; Opus in MPEG-TS):
///
/// ```
/// registration_descriptor  0x05 len=4 format_identifier: "AC-3", "EAC3", "Opus"
/// AC-3_descriptor          0x6A len>=1 flags...            (DVB: the stream is AC-3)
/// enhanced_AC-3_descriptor 0x7A len>=1 flags...            (DVB: the stream is E-AC-3)
/// extension_descriptor     0x7F len=2 0x80 channel_config_code   (Opus: channels and mapping)
/// ```
/// A damaged list (a length past the end) is read up to the damage.
public struct StreamDescriptors: Sendable, Equatable {
    static let registrationTag: UInt8 = 0x05
    static let ac3Tag: UInt8 = 0x6A
    static let enhancedAC3Tag: UInt8 = 0x7A
    static let extensionTag: UInt8 = 0x7F
    /// The extension tag Opus in MPEG-TS uses (DVB "user defined").
    static let opusExtensionTag: UInt8 = 0x80

    /// (tag, body) in order.
    public var entries: [(tag: UInt8, body: [UInt8])]

    public init(_ bytes: [UInt8]) {
        entries = []
        var offset = 0
        while offset + 2 <= bytes.count {
            let length = Int(bytes[offset + 1])
            guard offset + 2 + length <= bytes.count else { break }
            entries.append((bytes[offset], Array(bytes[(offset + 2)..<(offset + 2 + length)])))
            offset += 2 + length
        }
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.entries.map(\.tag) == b.entries.map(\.tag) && a.entries.map(\.body) == b.entries.map(\.body)
    }

    private func body(_ tag: UInt8) -> [UInt8]? { entries.first { $0.tag == tag }?.body }

    private var formatIdentifier: [UInt8]? { body(Self.registrationTag).map { Array($0.prefix(4)) } }

    /// AC-3, E-AC-3 or Opus, from the DVB descriptors or the registration.
    public var privateDataCodec: Codec? {
        if body(Self.ac3Tag) != nil { return .ac3 }
        if body(Self.enhancedAC3Tag) != nil { return .eac3 }
        switch formatIdentifier {
        case Array("AC-3".utf8)?: return .ac3
        case Array("EAC3".utf8)?: return .eac3
        case Array("Opus".utf8)?: return .opus
        default: return nil
        }
    }

    /// channel_config_code of an Opus stream's extension descriptor.
    public var opusChannelConfigCode: UInt8? {
        guard let body = body(Self.extensionTag), body.count >= 2, body[0] == Self.opusExtensionTag else { return nil }
        return body[1]
    }

    /// The registration and extension descriptors of an Opus stream with `code`.
    public static func opus(channelConfigCode code: UInt8) -> [UInt8] {
        [registrationTag, 4] + Array("Opus".utf8) + [extensionTag, 2, opusExtensionTag, code]
    }
}
