import Foundation
import MediaCore

/// The recorder server's settings: embedded defaults, then a config file (`key=value` lines,
/// `#` comments), then command-line flags (`--key value` or `--key=value`), the later winning.
/// One table of options drives the file, the flags and the `--help` text, so they cannot
/// drift apart. Relative paths are relative to the working directory.
public struct ServerConfiguration: Sendable, Equatable {
    public var mediaDirectory = "./media"
    public var stateDirectory = "./state"
    public var httpHost = "127.0.0.1"
    public var httpPort = 7777
    public var cliHost = "127.0.0.1"
    public var cliPort = 1112
    /// RTMP listens on every interface: encoders publish from other machines. The API
    /// (HTTP, CLI) stays on loopback unless told otherwise.
    public var rtmpHost = "0.0.0.0"
    public var rtmpPort = 1935
    /// The RTSP push server (ANNOUNCE/RECORD), on every interface like RTMP; 5544 as EMS.
    public var rtspHost = "0.0.0.0"
    public var rtspPort = 5544
    /// Credentials publishers must give (Digest or Basic); none by default.
    public var rtspUser: String?
    public var rtspPassword: String?
    /// Roots besides the media directory where `record` may write.
    public var allowedRoots: [String] = []
    public var mp4writerPath: String
    /// mp4writer processes that may run at once.
    public var finalizePoolSize = 2
    /// An inbound stream silent this long is considered gone (its recording closes).
    public var streamSilenceTimeout: Duration = .seconds(10)
    public var httpRequestTimeout: Duration = .seconds(10)
    public var cliIdleTimeout: Duration = .seconds(300)
    /// The config file that was read, if any.
    public var configFile: String?
    /// Where every event is also POSTed as JSON (none by default).
    public var eventURL: String?
    /// A shell command run for every event, with RECORDER_EVENT, RECORDER_FILE and
    /// RECORDER_EVENT_JSON in its environment (none by default).
    public var eventCommand: String?
    /// Who may publish: keys, the auth callback, address rules (docs/security.md).
    public var publishPolicy = PublishPolicy()
    /// The auth callback's timeout, whichever of --publish-auth-url and this comes first.
    public var publishAuthTimeout = PublishCallback.defaultTimeout
    /// Retention (docs/operations.md): complete recordings older than this many seconds are
    /// deleted; the recordings are kept under this many bytes; each root's filesystem keeps
    /// this many bytes free. Off when nil.
    public var retentionAge: Int?
    public var retentionBytes: UInt64?
    public var minFreeBytes: UInt64?
    /// How often retention is checked besides at every chunk close.
    public var retentionInterval: Duration = .seconds(30)
    /// When set, every HTTP request must carry it (docs/security.md); required when the HTTP
    /// API listens beyond loopback.
    public var apiToken: APIToken?

    /// The largest pool that makes sense: finalizing is I/O bound, more only thrashes disks.
    public static let maxFinalizePoolSize = 64
    /// Timeouts beyond an hour are mistakes (or units confused).
    public static let maxTimeoutSeconds = 3600.0

    /// The defaults, with mp4writer expected next to the recorder executable.
    public init(executablePath: String) {
        mp4writerPath = MP4WriterLocation.beside(executablePath)
    }

    /// What the command line asks for.
    public enum Invocation: Sendable, Equatable {
        case run(ServerConfiguration)
        case help(String)
    }

    /// Applies `--config FILE` first (wherever it stands), then the other flags in order.
    /// `readFile` is injectable for tests.
    public static func parse(arguments: [String], executablePath: String,
                             readFile: (String) throws -> String = Self.readTextFile) throws(ConfigurationError) -> Invocation {
        var flags: [(name: String, value: String)] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--help" || argument == "-h" { return .help(helpText) }
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw ConfigurationError("unexpected argument '\(argument)' (see --help)")
            }
            var name = String(argument.dropFirst(2))
            let value: String
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            } else {
                guard index < arguments.count else { throw ConfigurationError("--\(name) needs a value") }
                value = arguments[index]
                index += 1
            }
            guard name == "config" || options.contains(where: { $0.name == name }) else {
                throw ConfigurationError("unknown option --\(name) (see --help)")
            }
            flags.append((name, value))
        }

        var configuration = ServerConfiguration(executablePath: executablePath)
        let files = flags.filter { $0.name == "config" }
        guard files.count <= 1 else { throw ConfigurationError("--config given more than once") }
        if let file = files.first?.value {
            let text: String
            do {
                text = try readFile(file)
            } catch {
                throw ConfigurationError("cannot read config file \(file): \(error)")
            }
            try configuration.apply(configFile: text, source: file)
            configuration.configFile = file
        }
        for (name, value) in flags where name != "config" {
            try configuration.set(name, value, context: "--\(name)")
        }
        try configuration.checkExposure()
        return .run(configuration)
    }

    /// Applies a config file's `key=value` lines (`#` starts a comment line; blank lines and
    /// spaces around keys and values are ignored). Errors name `source` and the line.
    public mutating func apply(configFile text: String, source: String) throws(ConfigurationError) {
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let context = "\(source) line \(number + 1)"
            guard let eq = line.firstIndex(of: "=") else { throw ConfigurationError("\(context): expected key=value, got '\(line)'") }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard Self.options.contains(where: { $0.name == key }) else {
                throw ConfigurationError("\(context): unknown key '\(key)'")
            }
            try set(key, value, context: context)
        }
    }

    /// Refuses to start an API that anyone on the network could use: the HTTP API beyond
    /// loopback needs a token, and the line CLI, which has no way to carry one, stays on
    /// loopback. A warning in a log nobody reads would leave recording, deleting, playing and
    /// stopping open to the network (docs/security.md).
    public func checkExposure() throws(ConfigurationError) {
        if apiToken == nil && !Self.isLoopback(httpHost) {
            throw ConfigurationError("--http-host \(httpHost) is beyond loopback and no --api-token is set: anyone who reaches the port could record, delete, play and stop; set --api-token (api-token= in the config file) or keep --http-host on 127.0.0.1")
        }
        if !Self.isLoopback(cliHost) {
            throw ConfigurationError("--cli-host \(cliHost) is beyond loopback: the line CLI has no token, so it stays on loopback; from other machines use the HTTP API with --api-token")
        }
    }

    /// Whether `host` names this machine only: `localhost`, 127.0.0.0/8, `::1`.
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare == "localhost" { return true }
        return ["127.0.0.0/8", "::1/128"].contains { (try? AddressBlock(parsing: $0))?.contains(host: bare) ?? false }
    }

    /// The path policy the API applies to `record` paths.
    public var pathPolicy: PathPolicy {
        PathPolicy(mediaDirectory: mediaDirectory, additionalRoots: allowedRoots)
    }

    /// The HTTP server's limits, with this configuration's request timeout.
    public var httpLimits: HTTPServer.Limits {
        var limits = HTTPServer.Limits()
        limits.requestTimeout = httpRequestTimeout
        return limits
    }

    /// The line server's limits, with this configuration's idle timeout.
    public var lineLimits: LineServer.Limits {
        var limits = LineServer.Limits()
        limits.idleTimeout = cliIdleTimeout
        return limits
    }

    @Sendable public static func readTextFile(_ path: String) throws -> String {
        let bytes = try FileSystem.readFile(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigurationError("\(path) is not UTF-8 text")
        }
        return text
    }

    // MARK: The options

    struct Option: Sendable {
        let name: String
        let valueName: String
        let help: String
        let set: @Sendable (inout ServerConfiguration, String) throws(ConfigurationError) -> Void
    }

    static let options: [Option] = [
        Option(name: "media", valueName: "DIR", help: "media folder: relative pathToFile values resolve here (default ./media)") { config, value throws(ConfigurationError) in config.mediaDirectory = try path(value) },
        Option(name: "state", valueName: "DIR", help: "state folder: record configs survive restarts here (default ./state)") { config, value throws(ConfigurationError) in config.stateDirectory = try path(value) },
        Option(name: "allowed-root", valueName: "DIR", help: "another folder record may write into (repeatable; the media folder always is)") { config, value throws(ConfigurationError) in config.allowedRoots.append(try path(value)) },
        Option(name: "http-host", valueName: "HOST", help: "HTTP API address (default 127.0.0.1)") { config, value throws(ConfigurationError) in config.httpHost = try host(value) },
        Option(name: "http-port", valueName: "PORT", help: "HTTP API port, 0 for any free one (default 7777)") { config, value throws(ConfigurationError) in config.httpPort = try port(value) },
        Option(name: "cli-host", valueName: "HOST", help: "line CLI address (default 127.0.0.1)") { config, value throws(ConfigurationError) in config.cliHost = try host(value) },
        Option(name: "cli-port", valueName: "PORT", help: "line CLI port, 0 for any free one (default 1112)") { config, value throws(ConfigurationError) in config.cliPort = try port(value) },
        Option(name: "rtmp-host", valueName: "HOST", help: "RTMP ingest address (default 0.0.0.0)") { config, value throws(ConfigurationError) in config.rtmpHost = try host(value) },
        Option(name: "rtmp-port", valueName: "PORT", help: "RTMP ingest port, 0 for any free one (default 1935)") { config, value throws(ConfigurationError) in config.rtmpPort = try port(value) },
        Option(name: "rtsp-host", valueName: "HOST", help: "RTSP push server address (default 0.0.0.0)") { config, value throws(ConfigurationError) in config.rtspHost = try host(value) },
        Option(name: "rtsp-port", valueName: "PORT", help: "RTSP push server port (ANNOUNCE/RECORD), 0 for any free one (default 5544)") { config, value throws(ConfigurationError) in config.rtspPort = try port(value) },
        Option(name: "rtsp-user", valueName: "NAME", help: "user RTSP publishers must authenticate as (default: none asked)") { config, value throws(ConfigurationError) in
            guard !value.isEmpty, !value.contains(":") else { throw ConfigurationError("invalid user '\(value)': expected a name without ':'") }
            config.rtspUser = value
        },
        Option(name: "rtsp-password", valueName: "PASSWORD", help: "password of --rtsp-user") { config, value throws(ConfigurationError) in config.rtspPassword = value },
        Option(name: "mp4writer", valueName: "PATH", help: "mp4writer executable (default: next to the recorder)") { config, value throws(ConfigurationError) in config.mp4writerPath = try path(value) },
        Option(name: "finalize-pool", valueName: "N", help: "mp4writer processes at once, 1...\(maxFinalizePoolSize) (default 2)") { config, value throws(ConfigurationError) in
            guard let n = Int(value), (1...maxFinalizePoolSize).contains(n) else {
                throw ConfigurationError("invalid value '\(value)': expected a whole number from 1 to \(maxFinalizePoolSize)")
            }
            config.finalizePoolSize = n
        },
        Option(name: "silence-timeout", valueName: "SECONDS", help: "a stream silent this long is gone (default 10)") { config, value throws(ConfigurationError) in config.streamSilenceTimeout = try seconds(value) },
        Option(name: "http-timeout", valueName: "SECONDS", help: "an HTTP request must arrive within this (default 10)") { config, value throws(ConfigurationError) in config.httpRequestTimeout = try seconds(value) },
        Option(name: "event-url", valueName: "URL", help: "POST every event as JSON to this http:// URL") { config, value throws(ConfigurationError) in
            _ = try httpURL(value, httpsAdvice: "e.g. a local relay")
            config.eventURL = value
        },
        Option(name: "event-command", valueName: "COMMAND", help: "run this shell command for every event (RECORDER_EVENT, RECORDER_FILE, RECORDER_EVENT_JSON set)") { config, value throws(ConfigurationError) in
            config.eventCommand = try path(value)
        },
        Option(name: "publish-key", valueName: "SECRET", help: "publishers must present this key (rtmp://host/app/name?key=SECRET, OBS stream key name?key=SECRET) unless their record config sets publishKey=; prefer the config file (flags show in ps)") { config, value throws(ConfigurationError) in
            guard !value.isEmpty, value.utf8.count <= RecordParameters.maxPublishKeyLength,
                  !value.contains(where: { $0.isWhitespace || $0 == "&" || $0 == "?" || $0 == "#" }) else {
                throw ConfigurationError("invalid publish key: expected 1 to \(RecordParameters.maxPublishKeyLength) bytes without spaces, &, ? or #")
            }
            config.publishPolicy.globalKey = value
        },
        Option(name: "publish-auth-url", valueName: "URL", help: "ask this http:// URL about each publisher (POST form as nginx-rtmp's on_publish): 2xx allows, 3xx+Location renames, anything else refuses") { config, value throws(ConfigurationError) in
            config.publishPolicy.callback = PublishCallback(url: try httpURL(value, httpsAdvice: "on a trusted network (see docs/security.md)"), timeout: config.publishAuthTimeout)
        },
        Option(name: "publish-auth-timeout", valueName: "SECONDS", help: "the auth callback must answer within this, or the publisher is refused (default 3)") { config, value throws(ConfigurationError) in
            config.publishAuthTimeout = try seconds(value)
            config.publishPolicy.callback?.timeout = config.publishAuthTimeout
        },
        Option(name: "allow-publish", valueName: "CIDR", help: "only addresses in these blocks may publish (repeatable; IPv4 or IPv6, e.g. 10.0.0.0/8)") { config, value throws(ConfigurationError) in
            config.publishPolicy.addressRules.allow.append(try addressBlock(value))
        },
        Option(name: "deny-publish", valueName: "CIDR", help: "addresses in these blocks may not publish (repeatable; the most specific rule wins)") { config, value throws(ConfigurationError) in
            config.publishPolicy.addressRules.deny.append(try addressBlock(value))
        },
        Option(name: "retention-age", valueName: "SECONDS", help: "delete complete recordings older than this (default: keep)") { config, value throws(ConfigurationError) in config.retentionAge = Int(try count(value)) },
        Option(name: "retention-bytes", valueName: "BYTES", help: "keep the recordings under this many bytes in all, oldest deleted first") { config, value throws(ConfigurationError) in config.retentionBytes = try count(value) },
        Option(name: "min-free-bytes", valueName: "BYTES", help: "keep this much free on each root's filesystem; recording pauses when nothing is left to delete") { config, value throws(ConfigurationError) in config.minFreeBytes = try count(value) },
        Option(name: "retention-interval", valueName: "SECONDS", help: "how often retention is checked, besides at each chunk close (default 30)") { config, value throws(ConfigurationError) in config.retentionInterval = try seconds(value) },
        Option(name: "api-token", valueName: "TOKEN", help: "every HTTP request (API, console, media) must carry this: Authorization: Bearer TOKEN or the console's login; required with an --http-host beyond loopback; prefer the config file (flags show in ps)") { config, value throws(ConfigurationError) in
            config.apiToken = try APIToken(value)
        },
        Option(name: "cli-idle-timeout", valueName: "SECONDS", help: "a CLI connection idle this long is closed (default 300)") { config, value throws(ConfigurationError) in config.cliIdleTimeout = try seconds(value) },
    ]

    public static var helpText: String {
        var text = """
        usage: recorder serve [--config FILE] [options]

        Settings come from the embedded defaults, then the config file, then these flags.
        The config file holds the same names without dashes, one key=value per line (# comments).

        """
        let rows = [("--config FILE", "read settings from FILE")] + options.map { ("--\($0.name) \($0.valueName)", $0.help) }
        let width = rows.map(\.0.count).max() ?? 0
        for (flag, help) in rows {
            text += "  " + flag.padding(toLength: width + 2, withPad: " ", startingAt: 0) + help + "\n"
        }
        text += "  " + "--help".padding(toLength: width + 2, withPad: " ", startingAt: 0) + "show this text\n"
        return text
    }

    private mutating func set(_ name: String, _ value: String, context: String) throws(ConfigurationError) {
        guard let option = Self.options.first(where: { $0.name == name }) else { throw ConfigurationError("\(context): unknown option") }
        do {
            try option.set(&self, value)
        } catch {
            throw ConfigurationError("\(context): \(error.description)")
        }
    }

    private static func path(_ value: String) throws(ConfigurationError) -> String {
        guard !value.isEmpty, !value.contains("\0") else { throw ConfigurationError("expected a path, got '\(value)'") }
        return value
    }

    /// An http:// URL for `HTTPPostClient`; an https:// one is refused with `httpsAdvice`
    /// (where such a URL can be reached instead). The URL is quoted redacted: it may hold a key.
    private static func httpURL(_ value: String, httpsAdvice: String) throws(ConfigurationError) -> HTTPURL {
        do throws(HTTPURLError) {
            return try HTTPURL(parsing: value)
        } catch .httpsNotSupported {
            throw ConfigurationError("\(HTTPURLError.httpsNotSupported), \(httpsAdvice)")
        } catch {
            throw ConfigurationError("\(error) in '\(PublishSecrets.redacted(value))'")
        }
    }

    private static func addressBlock(_ value: String) throws(ConfigurationError) -> AddressBlock {
        do throws(AddressBlockError) {
            return try AddressBlock(parsing: value)
        } catch {
            throw ConfigurationError(error.description)
        }
    }

    private static func host(_ value: String) throws(ConfigurationError) -> String {
        guard !value.isEmpty, !value.contains(where: { $0 == " " || $0 == "/" }) else {
            throw ConfigurationError("invalid host '\(value)': expected an address such as 127.0.0.1")
        }
        return value
    }

    private static func port(_ value: String) throws(ConfigurationError) -> Int {
        guard let n = Int(value), (0...65_535).contains(n) else {
            throw ConfigurationError("invalid port '\(value)': expected 0...65535")
        }
        return n
    }

    /// A positive whole number (seconds or bytes), at most 2^62 (beyond any disk).
    private static func count(_ value: String) throws(ConfigurationError) -> UInt64 {
        guard let n = UInt64(value), n > 0, n <= 1 << 62 else {
            throw ConfigurationError("invalid value '\(value)': expected a positive whole number")
        }
        return n
    }

    private static func seconds(_ value: String) throws(ConfigurationError) -> Duration {
        guard let s = Double(value), s > 0, s <= maxTimeoutSeconds else {
            throw ConfigurationError("invalid duration '\(value)': expected seconds above 0, at most \(Int(maxTimeoutSeconds))")
        }
        return .milliseconds(max(1, Int64((s * 1000).rounded())))
    }
}

/// A bad setting: the description names where (flag, or file and line) and what is wrong.
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
