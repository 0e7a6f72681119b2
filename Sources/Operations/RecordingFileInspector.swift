import Containers
import Foundation
import ISOBMFF
import MediaCore

/// What a finished recording file says about itself: its tracks, its duration and, when the
/// file records it, when it started. Used to rebuild a lost catalog and to settle entries a
/// crash left open. MP4: the `moov` (ISOBMFF `MP4Reader`); FLV and MPEG-TS: the headers and
/// the first and last timestamps, read through the container readers.
public struct RecordingFileInspector: Sendable {
    /// What was read from a file.
    public struct Summary: Sendable, Equatable {
        public var tracks: [RecordingTrack]
        public var duration: Double
        public var bytes: UInt64
        /// Unix seconds, from the MP4 `mvhd` creation time when set, else the file's
        /// modification time minus its duration (files are written up to their end).
        public var startTime: Double
    }

    /// Read size for FLV and TS: large enough that a 1 GiB file is a thousand reads.
    static let readSize = 1 << 20
    /// Seconds between 1904-01-01 (ISO BMFF's epoch) and 1970-01-01.
    static let mp4EpochOffset: UInt64 = 2_082_844_800

    public init() {}

    /// The extensions of the files the recorder writes.
    public static let recordingExtensions = ["mp4", "flv", "ts"]

    public func inspect(_ path: String) throws -> Summary {
        let bytes = UInt64(max(0, FileSystem.fileSize(path) ?? 0))
        let modified = FileSystem.modificationTime(path) ?? Date().timeIntervalSince1970
        if path.hasSuffix(".mp4") {
            let reader = try MP4Reader(path: path)
            let header = reader.movieHeader.times
            let duration = header.timescale > 0 ? Double(header.duration) / Double(header.timescale) : 0
            let tracks = reader.tracks.compactMap { $0.sampleDescriptions.first.map(Self.track) }
            let created = header.creationTime > Self.mp4EpochOffset ? Double(header.creationTime - Self.mp4EpochOffset) : nil
            return Summary(tracks: tracks, duration: duration, bytes: bytes, startTime: created ?? modified - duration)
        }
        var span = TimeSpan()
        var tracks: [TrackDescription] = []
        if path.hasSuffix(".flv") {
            var reader = FLVReader()
            try readPieces(path) { piece in
                reader.push(piece)
                while true {
                    do {
                        guard let event = try reader.next() else { break }
                        span.note(event, tracks: &tracks)
                    } catch {
                        continue  // a tag the reader cannot use: the next one may be fine
                    }
                }
            }
        } else {
            var reader = TSReader()
            func drain() {
                while true {
                    do {
                        guard let event = try reader.next() else { break }
                        span.note(event, tracks: &tracks)
                    } catch {
                        continue
                    }
                }
            }
            try readPieces(path) { piece in
                reader.push(piece)
                drain()
            }
            reader.finish()
            drain()
        }
        let duration = span.seconds
        return Summary(tracks: tracks.compactMap { $0.sampleDescriptions.first.map(Self.track) }, duration: duration,
                       bytes: bytes, startTime: modified - duration)
    }

    public static func track(_ description: SampleDescription) -> RecordingTrack {
        if description.codec.kind == .video {
            return RecordingTrack(codec: description.codec.description, width: Int(description.width), height: Int(description.height))
        }
        return RecordingTrack(codec: description.codec.description, sampleRate: Int(description.sampleRate),
                              channels: Int(description.channelCount))
    }

    private func readPieces(_ path: String, _ consume: ([UInt8]) -> Void) throws {
        try FileSystem.readPieces(path, pieceSize: Self.readSize, consume)
    }

    /// The first and last decode times per track, in seconds.
    private struct TimeSpan {
        var scales: [UInt32: Double] = [:]
        var first: [UInt32: Double] = [:]
        var last: [UInt32: Double] = [:]

        mutating func note(_ event: DemuxEvent, tracks: inout [TrackDescription]) {
            switch event {
            case .track(let track):
                tracks.append(track)
                scales[track.trackID] = Double(max(1, track.timescale))
            case .frame(let frame):
                guard let scale = scales[frame.trackID] else { return }
                let t = Double(frame.dts) / scale
                if first[frame.trackID] == nil { first[frame.trackID] = t }
                last[frame.trackID] = max(last[frame.trackID] ?? t, t)
            default:
                break
            }
        }

        var seconds: Double {
            first.keys.map { (last[$0] ?? 0) - (first[$0] ?? 0) }.max() ?? 0
        }
    }
}
