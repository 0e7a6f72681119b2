import Foundation
import RTSP
import Operations

/// Turns the two textual forms of an EMS command into a `Command`:
///
/// - a command line, as typed into the line CLI: `record localStreamName=video1
///   pathtofile=/x type=mp4 overwrite=1`. Values may be double-quoted to hold spaces
///   (`pathToFile="/media/my show"`); inside quotes `\"` and `\\` stand for `"` and `\`.
/// - an HTTP request target: `/record?params=BASE64("k=v k=v")` (the EMS form: the
///   parameters as a command line without its name, base64-encoded), or plain query
///   parameters `/record?localStreamName=video1&pathToFile=/x`, percent-decoded (RFC 3986:
///   `+` is a plus sign, spaces are `%20`).
///
/// Command and parameter names are case-insensitive. Anything unknown, missing or malformed
/// throws a `CommandError` that names it.
public enum CommandParser {
    /// The longest command we read, line or request target; the servers enforce their own,
    /// smaller limits first. Bounds the work a single input can cause.
    public static let maxCommandLength = 64 * 1024

    public static func parse(line: String) throws(CommandError) -> Command {
        guard line.utf8.count <= maxCommandLength else { throw CommandError("command longer than \(maxCommandLength) bytes") }
        var words = try tokenize(line)
        guard !words.isEmpty else { throw CommandError("empty command: expected one of \(Command.names.joined(separator: ", "))") }
        let name = words.removeFirst()
        guard !name.contains("=") else { throw CommandError("expected a command name before the parameters, got '\(name)'") }
        return try command(named: name, pairs: try pairs(words))
    }

    /// Parses an HTTP request target, `/COMMAND?QUERY` (an absolute URI's path and query
    /// are used the same way).
    public static func parse(httpTarget target: String) throws(CommandError) -> Command {
        guard target.utf8.count <= maxCommandLength else { throw CommandError("request target longer than \(maxCommandLength) bytes") }
        var rest = Substring(target)
        // Only a target that does not start with "/" can be absolute-form; a query may well
        // hold "://" (pullStream uri=tcp://...).
        if !rest.hasPrefix("/"), let scheme = rest.range(of: "://") {
            // absolute-form (RFC 9112 section 3.2.2): drop scheme and authority.
            let afterAuthority = rest[scheme.upperBound...]
            rest = afterAuthority.firstIndex(of: "/").map { afterAuthority[$0...] } ?? "/"
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let path: Substring
        let query: Substring?
        if let q = rest.firstIndex(of: "?") {
            path = rest[..<q]
            query = rest[rest.index(after: q)...]
        } else {
            path = rest
            query = nil
        }
        guard path.hasPrefix("/") else { throw CommandError("request target must start with '/', got '\(String(path.prefix(100)))'") }
        let name = try percentDecode(path.dropFirst().split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/"))
        guard !name.isEmpty else { throw CommandError("no command in the request path: expected /COMMAND, one of \(Command.names.joined(separator: ", "))") }

        var result: [(String, String)] = []
        for field in (query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let key: String
            let value: String
            if let eq = field.firstIndex(of: "=") {
                key = try percentDecode(field[..<eq])
                value = try percentDecode(field[field.index(after: eq)...])
            } else {
                key = try percentDecode(field)
                value = ""
            }
            if key.lowercased() == "params" {
                // EMS: params=base64("k1=v1 k2=v2"), the parameters as on a command line.
                result += try pairs(tokenize(try decodeBase64Parameters(value)))
            } else {
                guard !key.isEmpty else { throw CommandError("query parameter with an empty name") }
                result.append((key, value))
            }
        }
        return try command(named: name, pairs: result)
    }

    /// The commands that take no parameters, by lower-cased name: their spelling and value.
    static let parameterless: [String: (String, Command)] = [
        "listconfig": ("listConfig", .listConfig), "liststreams": ("listStreams", .listStreams),
        "version": ("version", .version), "storageinfo": ("storageInfo", .storageInfo),
        "shutdownserver": ("shutdownServer", .shutdownServer),
    ]

    /// Builds the command from its name and `key=value` pairs.
    public static func command(named name: String, pairs: [(String, String)]) throws(CommandError) -> Command {
        if let (spelled, command) = parameterless[name.lowercased()] {
            try expectNoParameters(pairs, command: spelled)
            return command
        }
        switch name.lowercased() {
        case "record":
            do {
                return .record(try RecordParameters(pairs: pairs))
            } catch {
                throw CommandError("record: \(error)")
            }
        case "removeconfig":
            let values = try parameters(pairs, command: "removeConfig", known: ["id": "id", "configid": "id"])
            guard let text = values["id"] else { throw CommandError("removeConfig: missing parameter id") }
            guard let id = Int(text), id > 0 else {
                throw CommandError("removeConfig: invalid id '\(text)': expected a positive whole number")
            }
            return .removeConfig(id: id)
        case "pullstream":
            let values = try parameters(pairs, command: "pullStream",
                                        known: ["uri": "uri", "localstreamname": "localStreamName", "keepalive": "keepAlive",
                                                "forcetcp": "forceTcp"])
            guard let uri = values["uri"], !uri.isEmpty else { throw CommandError("pullStream: missing parameter uri") }
            guard let name = values["localStreamName"], !name.isEmpty else {
                throw CommandError("pullStream: missing parameter localStreamName")
            }
            guard name.count <= RecordParameters.maxNameLength, !name.contains("/"), !name.contains("\0") else {
                throw CommandError("pullStream: invalid localStreamName '\(name)': expected a name without '/' of at most \(RecordParameters.maxNameLength) characters")
            }
            var options = PullOptions()
            for (key, keyPath) in [("keepAlive", \PullOptions.keepAlive), ("forceTcp", \PullOptions.forceTcp)] {
                guard let text = values[key] else { continue }
                guard text == "0" || text == "1" else { throw CommandError("pullStream: invalid \(key) '\(text.prefix(50))': expected 0 or 1") }
                options[keyPath: keyPath] = text == "1"
            }
            return .pullStream(uri: try normalizedStreamURI(uri), localStreamName: name, options: options)
        case "listpullpushconfig":
            try expectNoParameters(pairs, command: "listPullPushConfig")
            return .listPullPushConfig
        case "removepullpushconfig":
            let values = try parameters(pairs, command: "removePullPushConfig",
                                        known: ["id": "id", "configid": "id", "localstreamname": "localStreamName"])
            switch (values["id"], values["localStreamName"]) {
            case (let text?, nil):
                guard let id = Int(text), id > 0 else {
                    throw CommandError("removePullPushConfig: invalid id '\(text.prefix(50))': expected a positive whole number")
                }
                return .removePullPushConfig(.configId(id))
            case (nil, let name?) where !name.isEmpty:
                return .removePullPushConfig(.localStreamName(name))
            default:
                throw CommandError("removePullPushConfig: expected id or localStreamName (one of them)")
            }
        case "shutdownstream":
            let values = try parameters(pairs, command: "shutdownStream",
                                        known: ["localstreamname": "localStreamName", "permanently": "permanently"])
            guard let name = values["localStreamName"], !name.isEmpty else {
                throw CommandError("shutdownStream: missing parameter localStreamName")
            }
            let permanently = values["permanently"] ?? "1"
            guard permanently == "0" || permanently == "1" else {
                throw CommandError("shutdownStream: invalid permanently '\(permanently.prefix(50))': expected 0 or 1")
            }
            return .shutdownStream(localStreamName: name, permanently: permanently == "1")
        case "listrecordings":
            return .listRecordings(try recordingQuery(pairs))
        case "deleterecording":
            let values = try parameters(pairs, command: "deleteRecording", known: ["file": "file"])
            guard let file = values["file"], !file.isEmpty, !file.contains("\0") else {
                throw CommandError("deleteRecording: missing parameter file")
            }
            return .deleteRecording(file: file)
        default:
            throw CommandError("unknown command '\(name.prefix(100))': expected one of \(Command.names.joined(separator: ", "))")
        }
    }

    // MARK: Pieces

    /// listRecordings parameters: localStreamName, configId, startTime and endTime (Unix
    /// seconds; `start`/`end` too), state (comma-separated), offset, limit.
    static func recordingQuery(_ pairs: [(String, String)]) throws(CommandError) -> RecordingQuery {
        let c = "listRecordings"
        let values = try parameters(pairs, command: c, known: [
            "localstreamname": "localStreamName", "configid": "configId", "starttime": "startTime", "start": "startTime",
            "endtime": "endTime", "end": "endTime", "state": "state", "offset": "offset", "limit": "limit",
        ])
        var query = RecordingQuery()
        query.localStreamName = values["localStreamName"]
        func whole(_ key: String, _ range: ClosedRange<Int>) throws(CommandError) -> Int? {
            guard let text = values[key] else { return nil }
            guard let n = Int(text), range.contains(n) else {
                throw CommandError("\(c): invalid \(key) '\(text.prefix(100))': expected a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return n
        }
        func time(_ key: String) throws(CommandError) -> Double? {
            guard let text = values[key] else { return nil }
            guard let t = Double(text), t.isFinite else {
                throw CommandError("\(c): invalid \(key) '\(text.prefix(100))': expected Unix seconds (fractions allowed)")
            }
            return t
        }
        query.configId = try whole("configId", 1...Int(Int32.max))
        query.offset = try whole("offset", 0...Int(Int32.max)) ?? 0
        query.limit = try whole("limit", 1...RecordingQuery.maxLimit) ?? RecordingQuery.defaultLimit
        query.startTime = try time("startTime")
        query.endTime = try time("endTime")
        if let text = values["state"] {
            var states = Set<RecordingState>()
            for word in text.split(separator: ",") {
                guard let state = RecordingState(rawValue: word.trimmingCharacters(in: .whitespaces).lowercased()) else {
                    throw CommandError("\(c): invalid state '\(word.prefix(100))': expected \(RecordingState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                states.insert(state)
            }
            query.states = states
        }
        return query
    }

    /// Splits a command line into words at unquoted whitespace; double quotes group, and are
    /// removed. `key="a b"` and `"key=a b"` both give the word `key=a b`.
    static func tokenize(_ line: String) throws(CommandError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quoted = false
        var iterator = line.unicodeScalars.makeIterator()
        while let c = iterator.next() {
            if quoted {
                switch c {
                case "\"": quoted = false
                case "\\":
                    guard let next = iterator.next() else { throw CommandError("unterminated quoted value in '\(line.prefix(100))'") }
                    current.unicodeScalars.append(next)
                default: current.unicodeScalars.append(c)
                }
            } else if c == "\"" {
                quoted = true
                inWord = true
            } else if c == " " || c == "\t" || c == "\r" || c == "\n" {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.unicodeScalars.append(c)
                inWord = true
            }
        }
        guard !quoted else { throw CommandError("unterminated quoted value in '\(line.prefix(100))'") }
        if inWord { words.append(current) }
        return words
    }

    static func pairs(_ words: [String]) throws(CommandError) -> [(String, String)] {
        var result: [(String, String)] = []
        for word in words {
            guard let eq = word.firstIndex(of: "="), eq != word.startIndex else {
                throw CommandError("expected key=value, got '\(word.prefix(100))'")
            }
            result.append((String(word[..<eq]), String(word[word.index(after: eq)...])))
        }
        return result
    }

    private static func expectNoParameters(_ pairs: [(String, String)], command: String) throws(CommandError) {
        if let (key, _) = pairs.first { throw CommandError("\(command): unknown parameter \(key) (it takes none)") }
    }

    /// Maps lower-cased parameter names through `known` (to their canonical spelling),
    /// refusing unknown and repeated ones.
    private static func parameters(_ pairs: [(String, String)], command: String,
                                   known: [String: String]) throws(CommandError) -> [String: String] {
        var values: [String: String] = [:]
        for (key, value) in pairs {
            guard let canonical = known[key.lowercased()] else { throw CommandError("\(command): unknown parameter \(key)") }
            guard values[canonical] == nil else { throw CommandError("\(command): parameter \(key) given twice") }
            values[canonical] = value
        }
        return values
    }

    /// Checks `udp://HOST:PORT` or `tcp://HOST:PORT` (HOST may be an IPv6 literal in
    /// brackets) and returns it with the scheme lower-cased.
    static func normalizedStreamURI(_ uri: String) throws(CommandError) -> String {
        let problem = CommandError("pullStream: invalid uri '\(uri.prefix(200))': expected udp://HOST:PORT, tcp://HOST:PORT or rtsp://[USER:PASS@]HOST[:PORT]/PATH")
        guard let sep = uri.range(of: "://") else { throw problem }
        let scheme = uri[..<sep.lowerBound].lowercased()
        if scheme == "rtsp" {
            // The path and credentials keep their case: cameras compare them exactly.
            guard (try? RTSPURL(parsing: uri)) != nil, !uri.contains(where: { $0 == " " || $0 == "\0" }) else { throw problem }
            return "rtsp" + uri[sep.lowerBound...]
        }
        guard scheme == "udp" || scheme == "tcp" else { throw problem }
        let authority = uri[sep.upperBound...]
        guard let colon = authority.lastIndex(of: ":") else { throw problem }
        let host = authority[..<colon]
        let port = authority[authority.index(after: colon)...]
        guard !host.isEmpty, !host.contains("/"), !host.contains("?"), !host.contains("@"),
              let number = Int(port), (1...65_535).contains(number), port.allSatisfy(\.isASCII) else { throw problem }
        if host.contains(":") && !(host.hasPrefix("[") && host.hasSuffix("]")) { throw problem }
        return scheme + "://" + authority
    }

    /// RFC 3986 section 2.1 percent-decoding; the result must be UTF-8.
    static func percentDecode<S: StringProtocol>(_ text: S) throws(CommandError) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let b = utf8.popFirst() {
            if b == UInt8(ascii: "%") {
                guard utf8.count >= 2, let hi = hexValue(utf8[utf8.startIndex]), let lo = hexValue(utf8[utf8.startIndex + 1]) else {
                    throw CommandError("bad percent-encoding in '\(text.prefix(100))'")
                }
                bytes.append(hi << 4 | lo)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw CommandError("percent-encoded text in '\(text.prefix(100))' is not UTF-8")
        }
        return decoded
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Decodes the EMS `params` value: base64 (RFC 4648 section 4, or the URL-safe alphabet of
    /// section 5), padding optional, the result UTF-8 text.
    static func decodeBase64Parameters(_ value: String) throws(CommandError) -> String {
        var text = value.trimmingCharacters(in: .whitespaces)
        // Some clients send `params=` for commands without parameters.
        if text.isEmpty { return "" }
        text = String(text.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        if text.count % 4 != 0 { text += String(repeating: "=", count: 4 - text.count % 4) }
        guard let data = Data(base64Encoded: text), !data.isEmpty else {
            throw CommandError("params is not valid base64: '\(value.prefix(100))'")
        }
        guard let decoded = String(validating: [UInt8](data), as: UTF8.self) else {
            throw CommandError("params does not decode to UTF-8 text")
        }
        return decoded
    }
}
