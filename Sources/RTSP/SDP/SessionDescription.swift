/// An SDP (RFC 4566) as an RTSP DESCRIBE answer or ANNOUNCE body carries it: the session's
/// `a=control` and its media sections. Unknown lines are ignored; lines with a bad form are
/// errors that name the line. Bounded: a camera's SDP has a handful of m-lines.
public struct SessionDescription: Sendable, Equatable {
    public var control: String?
    public var media: [MediaDescription]

    /// More m-lines than any camera or publisher sends (video, audio, metadata, backchannel).
    public static let maxMediaCount = 32
    /// Lines in an SDP: far above real ones, low enough that a hostile one costs little.
    public static let maxLineCount = 4096

    public init(control: String? = nil, media: [MediaDescription] = []) {
        self.control = control
        self.media = media
    }

    public init(parsing bytes: [UInt8]) throws(RTSPError) {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        guard lines.count <= Self.maxLineCount else { throw .malformedSDP(line: Self.maxLineCount, reason: "more than \(Self.maxLineCount) lines") }
        var media: [MediaDescription] = []
        for (index, raw) in lines.enumerated() {
            let number = index + 1
            let line = raw.trimmingSpaces
            guard line.count >= 2, line.dropFirst().first == "=" else { continue }  // blank or junk: skipped
            let value = String(line.dropFirst(2))
            switch line.first {
            case "m":
                let fields = value.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count >= 3 else { throw .malformedSDP(line: number, reason: "m= needs media, port and proto") }
                guard media.count < Self.maxMediaCount else { throw .malformedSDP(line: number, reason: "more than \(Self.maxMediaCount) m-lines") }
                let port = Int(fields[1].split(separator: "/").first ?? "") ?? 0
                media.append(MediaDescription(media: String(fields[0]).lowercased(), port: port, proto: String(fields[2]),
                                              payloadTypes: fields.dropFirst(3).compactMap { Int($0) }.filter { (0...127).contains($0) }))
            case "a":
                let (name, argument) = Self.attribute(value)
                if media.isEmpty {
                    if name == "control" { control = argument }
                    continue
                }
                try Self.apply(name, argument, to: &media[media.count - 1], line: number)
            default:
                break
            }
        }
        self.media = media
    }

    private static func attribute(_ value: String) -> (String, String) {
        guard let colon = value.firstIndex(of: ":") else { return (value.lowercased(), "") }
        return (value[..<colon].lowercased(), String(value[value.index(after: colon)...]).trimmingSpaces)
    }

    private static func apply(_ name: String, _ argument: String, to media: inout MediaDescription, line: Int) throws(RTSPError) {
        switch name {
        case "control":
            media.control = argument
        case "rtpmap":
            let parts = argument.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2, let pt = Int(parts[0]) else { throw .malformedSDP(line: line, reason: "a=rtpmap '\(argument.prefix(80))'") }
            let fields = parts[1].split(separator: "/").map { $0.trimmingSpaces }
            guard let encoding = fields.first, !encoding.isEmpty else { throw .malformedSDP(line: line, reason: "a=rtpmap without an encoding") }
            // Cameras that omit the clock rate: RFC 3551's static rate for the usual ones.
            let clock = fields.count > 1 ? Int(fields[1]) ?? 0 : (encoding.uppercased().hasPrefix("PCM") ? 8000 : 90000)
            guard clock > 0 && clock <= 1_000_000 else { throw .malformedSDP(line: line, reason: "a=rtpmap clock rate '\(fields[1])'") }
            media.rtpmaps[pt] = .init(encoding: encoding, clockRate: clock, channels: fields.count > 2 ? Int(fields[2]) : nil)
        case "fmtp":
            let parts = argument.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard let first = parts.first, let pt = Int(first) else { throw .malformedSDP(line: line, reason: "a=fmtp '\(argument.prefix(80))'") }
            var parameters: [String: String] = [:]
            if parts.count > 1 {
                for pair in parts[1].split(separator: ";") {
                    let kv = pair.split(separator: "=", maxSplits: 1)
                    guard let key = kv.first?.trimmingSpaces, !key.isEmpty else { continue }
                    parameters[key.lowercased()] = kv.count > 1 ? kv[1].trimmingSpaces : ""
                }
            }
            media.formatParameters[pt] = parameters
        default:
            break
        }
    }

    /// A minimal SDP for tests and for publishers' mirrors: one m-line per entry.
    public func serialized(origin: String = "127.0.0.1") -> [UInt8] {
        var text = "v=0\r\no=- 0 0 IN IP4 \(origin)\r\ns=Stream\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
        if let control { text += "a=control:\(control)\r\n" }
        for m in media {
            text += "m=\(m.media) \(m.port) \(m.proto) \(m.payloadTypes.map(String.init).joined(separator: " "))\r\n"
            for pt in m.payloadTypes {
                if let map = m.rtpmaps[pt] {
                    text += "a=rtpmap:\(pt) \(map.encoding)/\(map.clockRate)\(map.channels.map { "/\($0)" } ?? "")\r\n"
                }
                if let fmtp = m.formatParameters[pt] {
                    text += "a=fmtp:\(pt) " + fmtp.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";") + "\r\n"
                }
            }
            if let control = m.control { text += "a=control:\(control)\r\n" }
        }
        return Array(text.utf8)
    }
}
