/// Who may publish, as the operator configured it (`--publish-key`, `--publish-auth-url`,
/// `--allow-publish`, `--deny-publish`; per record config, `publishKey=`). With nothing set,
/// publishing is open to anyone who can reach an ingest port, as before these rules existed.
public struct PublishPolicy: Sendable, Equatable {
    /// The key every publisher must present for a name no record config gives a key of its own.
    public var globalKey: String?
    public var callback: PublishCallback?
    public var addressRules = AddressRules()
    public var ban = FailureBan.Settings()

    public init() {}

    /// Whether any rule is set besides per-config keys (which the engine knows).
    public var hasGlobalRules: Bool { globalKey != nil || callback != nil || !addressRules.isEmpty }

    /// The start-up log's sentence about publishing (never the key itself).
    public var summary: String {
        guard hasGlobalRules else {
            return "publishing is open to anyone who can reach the ingest ports (no --publish-key, --publish-auth-url or --allow-publish/--deny-publish; record configs with publishKey= still need their key)"
        }
        var parts: [String] = []
        if globalKey != nil { parts.append("a publish key is required (--publish-key)") }
        if let callback { parts.append("the auth callback \(PublishSecrets.redacted(callback.url.description)) decides (timeout \(callback.timeout), fail closed)") }
        if !addressRules.allow.isEmpty { parts.append("allowed addresses: \(addressRules.allow.map(\.description).joined(separator: " "))") }
        if !addressRules.deny.isEmpty { parts.append("denied addresses: \(addressRules.deny.map(\.description).joined(separator: " "))") }
        return "publishing: " + parts.joined(separator: "; ")
    }
}
