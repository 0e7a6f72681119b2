/// The parameters of the EMS `record` command (seed-record.md), validated.
///
/// Names are case-insensitive as in the seed (`pathtofile` = `pathToFile`); booleans accept
/// 0/1/true/false. Unknown parameters are refused, so that a typo never silently records with
/// defaults.
public struct RecordParameters: Sendable, Equatable, Codable {
    public enum OutputType: String, Sendable, Codable, CaseIterable {
        case mp4, flv, ts
    }

    public var localStreamName: String
    public var pathToFile: String
    public var type: OutputType = .mp4
    public var overwrite = false
    public var keepAlive = true
    /// Seconds per file; 0 disables chunking.
    public var chunkLength: Int = 0
    public var waitForIDR = true
    public var winQtCompat = false
    public var dateFolderStructure = false
    /// The key a publisher of this stream must present (`key=` in the RTMP URL or OBS's stream
    /// key, the RTSP password); nil: the global --publish-key, if any, applies.
    public var publishKey: String?
    /// This config's own retention (docs/operations.md): seconds its complete recordings are
    /// kept, and the bytes they may take; nil follows the server's --retention-age and
    /// --retention-bytes.
    public var retentionAge: Int?
    public var retentionBytes: Int?

    public init(localStreamName: String, pathToFile: String, type: OutputType = .mp4) {
        self.localStreamName = localStreamName
        self.pathToFile = pathToFile
        self.type = type
    }

    /// The longest chunk we accept (a day): longer is almost certainly a unit mistake.
    public static let maxChunkLength = 86_400
    /// A stream name is a path component in many deployments: keep it plain.
    public static let maxNameLength = 256

    /// Parses `key=value` pairs (already split). Throws `RecordParameterError` naming the
    /// parameter and what is wrong.
    public init(pairs: [(String, String)]) throws(RecordParameterError) {
        var values: [String: String] = [:]
        for (key, value) in pairs {
            let k = key.lowercased()
            guard Self.known.contains(k) else { throw .unknown(key) }
            guard values[k] == nil else { throw .duplicate(key) }
            values[k] = value
        }
        guard let name = values["localstreamname"], !name.isEmpty else { throw .missing("localStreamName") }
        guard name.count <= Self.maxNameLength, !name.contains("/"), !name.contains("\0") else {
            throw .invalid("localStreamName", name, "a name without '/' of at most \(Self.maxNameLength) characters")
        }
        guard let path = values["pathtofile"], !path.isEmpty else { throw .missing("pathToFile") }
        guard !path.contains("\0") else { throw .invalid("pathToFile", path, "a path") }
        self.init(localStreamName: name, pathToFile: path)
        if let t = values["type"] {
            guard let type = OutputType(rawValue: t.lowercased()) else { throw .invalid("type", t, "mp4, flv or ts") }
            self.type = type
        }
        overwrite = try Self.bool(values, "overwrite", default: false)
        keepAlive = try Self.bool(values, "keepalive", default: true)
        waitForIDR = try Self.bool(values, "waitforidr", default: true)
        winQtCompat = try Self.bool(values, "winqtcompat", default: false)
        dateFolderStructure = try Self.bool(values, "datefolderstructure", default: false)
        if let key = values["publishkey"] {
            // Never echoed: the error names the rule, not the value.
            guard !key.isEmpty, key.utf8.count <= Self.maxPublishKeyLength,
                  !key.contains(where: { $0.isWhitespace || $0 == "&" || $0 == "?" || $0 == "#" || $0 == "\0" }) else {
                throw .invalid("publishKey", "***", "1 to \(Self.maxPublishKeyLength) bytes without spaces, &, ? or #")
            }
            publishKey = key
        }
        if let c = values["chunklength"] {
            guard let n = Int(c), (0...Self.maxChunkLength).contains(n) else {
                throw .invalid("chunkLength", c, "whole seconds from 0 to \(Self.maxChunkLength)")
            }
            chunkLength = n
        }
        retentionAge = try Self.positive(values, "retentionage", name: "retentionAge", unit: "whole seconds")
        retentionBytes = try Self.positive(values, "retentionbytes", name: "retentionBytes", unit: "bytes")
    }

    private static func positive(_ values: [String: String], _ key: String, name: String,
                                 unit: String) throws(RecordParameterError) -> Int? {
        guard let v = values[key] else { return nil }
        guard let n = Int(v), n > 0 else { throw .invalid(name, v, "a positive whole number of \(unit)") }
        return n
    }

    static let known: Set<String> = ["localstreamname", "pathtofile", "type", "overwrite", "keepalive", "chunklength",
                                     "waitforidr", "winqtcompat", "datefolderstructure", "retentionage", "retentionbytes", "publishkey"]
    /// A key travels in a URL query: long enough for any generated secret, short of abuse.
    public static let maxPublishKeyLength = 256

    private static func bool(_ values: [String: String], _ key: String, default value: Bool) throws(RecordParameterError) -> Bool {
        guard let v = values[key] else { return value }
        switch v.lowercased() {
        case "1", "true", "yes": return true
        case "0", "false", "no": return false
        default: throw .invalid(key, v, "0 or 1")
        }
    }
}

/// A `record` parameter that is missing, unknown or has a bad value.
public enum RecordParameterError: Error, Equatable, Sendable, CustomStringConvertible {
    case missing(String)
    case unknown(String)
    case duplicate(String)
    case invalid(String, String, String)

    public var description: String {
        switch self {
        case .missing(let p): return "missing parameter \(p)"
        case .unknown(let p): return "unknown parameter \(p)"
        case .duplicate(let p): return "parameter \(p) given twice"
        case let .invalid(p, v, expected): return "invalid \(p) '\(v)': expected \(expected)"
        }
    }
}
