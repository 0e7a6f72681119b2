import MediaCore

/// Who may publish: the ingests (RTMP, RTSP, MPEG-TS listeners) ask here before they call
/// `streamStarted`, so a refused publisher never takes a name; refusals become
/// `publishRefused` events (log, event URL, event command) and are counted.
extension RecorderEngine {
    /// The decision for `request` under the engine's publish policy and the keys of the record
    /// configs of the name asked for. A refusal is published as an event before this returns.
    public func authorizePublish(_ request: PublishRequest) -> PublishDecision {
        let decision = publishing.authorize(request, keys: publishKeys(for: request.name))
        if case .refuse(let refusal) = decision { publishRefusedEvent(request, refusal) }
        return decision
    }

    /// The keys a publisher of `name` must present: its record configs' keys, else
    /// --publish-key; empty when it needs none. For an ingest that checks a secret itself
    /// because the secret never travels (RTSP Digest): it verifies the client against these
    /// (any user name), then passes the key that matched as the request's password.
    public func requiredPublishKeys(for name: String) -> [String] {
        publishing.requiredKeys(configKeys: publishKeys(for: name))
    }

    /// For an ingest that refused by itself (the name is live from another publisher): the
    /// same event and count as the authorizer's refusals.
    public func notePublishRefused(_ request: PublishRequest, _ refusal: PublishRefusal) {
        publishing.noteRefusal(refusal, request.ingestProtocol, host: request.clientHost)
        publishRefusedEvent(request, refusal)
    }

    private func publishRefusedEvent(_ request: PublishRequest, _ refusal: PublishRefusal) {
        events.publish("publishRefused", [
            "protocol": .string(request.ingestProtocol.rawValue),
            "address": JSONValue(request.clientAddress),
            "app": .string(PublishSecrets.redacted(request.app)),
            "name": .string(PublishSecrets.redacted(request.name)),
            "reason": .string(refusal.reason.rawValue),
            "detail": .string(refusal.detail),
        ])
    }
}
