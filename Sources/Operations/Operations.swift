// Operations: what running the recorder for months needs, kept apart from recording itself.
//
// - `RecordingCatalog`: every recording the recorder wrote (stream, config, file, start time,
//   duration, bytes, tracks, state), in memory, indexed by start time, persisted as an
//   append-only journal of JSON lines in the state folder and compacted at each start.
//   `CatalogRebuilder` makes it again from the files when the journal is lost.
// - `RetentionPolicy` (age, total bytes, free-space floor) and `RetentionEnforcer`, which
//   plans deletions from the catalog alone (never a directory walk) and carries them out,
//   oldest first, never touching a recording that is being written or finalized.
// - `MetricsRegistry`, rendered by `PrometheusText` (text exposition format 0.0.4).
// - `HealthReport`: the checks an orchestrator's probe reads.
//
// The recorder (Recorder target) feeds these from its chunk events; nothing here knows about
// sessions, sockets or the API. Threading: each type guards its state with its own lock and
// calls no other type's lock while holding it (catalog, then filesystem calls, never back).
