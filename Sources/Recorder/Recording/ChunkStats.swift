/// What one file holds so far, per track: samples, first and last decode time (file time):
/// the figures of its `chunkClosed` event and of listStreams' progress.
struct ChunkStats {
    private(set) var firstDTS: [UInt32: Int64] = [:]
    private(set) var lastDTS: [UInt32: Int64] = [:]
    private(set) var samples: [UInt32: Int] = [:]

    mutating func record(trackID: UInt32, dts: Int64) {
        lastDTS[trackID] = dts
        if firstDTS[trackID] == nil { firstDTS[trackID] = dts }
        samples[trackID, default: 0] += 1
    }

    /// The same figures with each track's decode times moved by `offset` (a file written
    /// before its origin was decided records them as written: TimestampRebaser.fileTime).
    func shifted(by offset: (UInt32) -> Int64) -> ChunkStats {
        var moved = self
        moved.firstDTS = firstDTS.reduce(into: [:]) { $0[$1.key] = $1.value + offset($1.key) }
        moved.lastDTS = lastDTS.reduce(into: [:]) { $0[$1.key] = $1.value + offset($1.key) }
        return moved
    }

    /// The longest track's last decode time, in seconds: how long the file is so far.
    func seconds(timescale: (UInt32) -> UInt32?) -> Double {
        lastDTS.map { id, dts in Double(dts) / Double(timescale(id) ?? 1) }.max() ?? 0
    }

    /// The closed file's summary (its byte count is known once its writer has closed it).
    func summary(path: String, wallClockStart: Double, timescale: (UInt32) -> UInt32?) -> ChunkSummary {
        var first: [UInt32: Double] = [:], last: [UInt32: Double] = [:]
        var duration = 0.0
        for (id, dts) in lastDTS {
            let scale = Double(timescale(id) ?? 1)
            first[id] = Double(firstDTS[id] ?? 0) / scale
            last[id] = Double(dts) / scale
            duration = max(duration, Double(dts) / scale)
        }
        return ChunkSummary(path: path, durationSeconds: duration, payloadBytes: 0, samples: samples,
                            firstTimestamp: first, lastTimestamp: last, wallClockStart: wallClockStart)
    }
}
