import Containers

/// One publisher's hold on a live stream name, the scaffolding every listener shares: after
/// the publish rules allowed the publisher (`IngestSink.authorizePublish`), `claim` makes the
/// name live or refuses because another publisher has it; events go to the sink under the
/// name; `end()` gives the name back, once. RTMP and RTSP push claim with the publish request
/// (a name in use is a reported refusal); the pulled and listened streams (RTSP pull, MPEG-TS
/// listeners) claim by name alone.
struct StreamClaim {
    let name: String
    private let sink: any IngestSink

    /// Claims the name the publish rules allowed for `request`. A name already live is
    /// refused, and the refusal is reported like the authorizer's (event, counter).
    static func claim(_ name: String, for request: PublishRequest, source: String, clientAddress: String?,
                      transport: IngestTransport = .tcp, sink: any IngestSink) -> Result<StreamClaim, PublishRefusal> {
        do {
            return .success(try claim(name, source: source, clientAddress: clientAddress, transport: transport, sink: sink))
        } catch {
            let refusal = PublishRefusal(.nameInUse, "\(name) is already being published")
            sink.notePublishRefused(request, refusal)
            return .failure(refusal)
        }
    }

    /// Claims `name` for a stream the recorder pulls or listens for; throws when it is live.
    static func claim(_ name: String, source: String, clientAddress: String?, transport: IngestTransport,
                      sink: any IngestSink) throws -> StreamClaim {
        try sink.streamStarted(name, source: source, clientAddress: clientAddress, transport: transport)
        return StreamClaim(name: name, sink: sink)
    }

    func deliver(_ event: DemuxEvent) { sink.streamEvent(name, event) }

    /// Events that arrived together go to the stream in one hand-off.
    func deliver(_ events: [DemuxEvent]) {
        if events.count == 1 { sink.streamEvent(name, events[0]) } else if !events.isEmpty { sink.streamEvents(name, events) }
    }

    /// The stream ends: files closed, MP4 chunks queued to finalize.
    func end() { sink.streamEnded(name) }
}
