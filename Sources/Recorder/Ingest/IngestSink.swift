import Containers

/// What every ingest hands its streams to (the engine implements it): the publish rules, the
/// claim of a stream name, the one event stream (`DemuxEvent`: tracks, frames with
/// unwrapped and normalized timestamps, discontinuities, unrecordable tracks), and the end.
/// Declared here, below the engine, so that the ingests depend on this and not on
/// `RecorderEngine`: adding a protocol is a demuxer plus a listener that talk to a sink.
public protocol IngestSink: AnyObject, Sendable {
    /// The decision for a publisher under the publish policy (refusals are published as
    /// events before this returns).
    func authorizePublish(_ request: PublishRequest) -> PublishDecision
    /// The keys a publisher of `name` must present, for an ingest that checks the secret itself
    /// (RTSP Digest).
    func requiredPublishKeys(for name: String) -> [String]
    /// A refusal the ingest made by itself (the name is live from another publisher).
    func notePublishRefused(_ request: PublishRequest, _ refusal: PublishRefusal)
    /// Makes `name` live; throws when it already is. `transport` decides whether the reader
    /// waits for room when the disk falls behind (TCP) or frames are dropped at once (UDP).
    func streamStarted(_ name: String, source: String, clientAddress: String?, transport: IngestTransport) throws
    /// One event of the live stream `name`.
    func streamEvent(_ name: String, _ event: DemuxEvent)
    /// Events of the live stream `name` that arrived together (one socket read), in order:
    /// the same as one `streamEvent` each, at the cost of one.
    func streamEvents(_ name: String, _ events: [DemuxEvent])
    /// Ends the live stream `name`: its recordings close their chunks.
    func streamEnded(_ name: String)
}

extension IngestSink {
    public func streamEvents(_ name: String, _ events: [DemuxEvent]) {
        for event in events { streamEvent(name, event) }
    }
}
