import Containers
import MediaCore

/// FLV and MPEG-TS chunks, through the container file writers.
final class ContainerChunkWriter: ChunkWriter {
    let path: String
    private var flv: FLVFileWriter?
    private var ts: TSFileWriter?

    init(type: RecordParameters.OutputType, path: String, tracks: [TrackDescription]) throws {
        self.path = path
        if type == .flv { flv = try FLVFileWriter(path: path, tracks: tracks) } else { ts = try TSFileWriter(path: path, tracks: tracks) }
    }

    var payloadBytes: UInt64 { UInt64(flv?.bytesWritten ?? ts?.bytesWritten ?? 0) }

    /// Held until `flush()` (the end of the queue's batch) or the writers' own limits.
    func write(_ frame: MediaFrame) throws {
        if let flv { try flv.write(frame, holding: true) } else { try ts?.write(frame, holding: true) }
    }

    func flush() throws {
        if let flv { try flv.flush() } else { try ts?.flush() }
    }

    func addSampleDescription(_ description: SampleDescription, toTrack trackID: UInt32) throws -> UInt16 {
        if let flv { return try flv.addSampleDescription(description, toTrack: trackID) }
        return try ts!.addSampleDescription(description, toTrack: trackID)
    }

    func close() throws {
        if let flv { try flv.close() } else { try ts?.close() }
    }
}
