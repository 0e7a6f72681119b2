/// The engine is where every ingest's streams go (authorizePublish and notePublishRefused in
/// RecorderEngine+Publishing, the stream calls in RecorderEngine).
extension RecorderEngine: IngestSink {}
