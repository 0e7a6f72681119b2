import Containers
import MediaCore
import StagingWriter

/// Which tracks of a stream one recording holds, and why the others are left out: the output
/// cannot carry the codec (asked of the writers themselves, so that the reason is theirs), or
/// the output holds one track of each kind (FLV: one video, one audio; MPEG-TS: one video)
/// and the first of that kind is already recorded.
enum TrackSelection {
    /// Why `track` is not recorded to `type` beside the tracks already `kept`; nil: it is.
    static func refusal(of track: TrackDescription, type: RecordParameters.OutputType,
                        kept: [TrackDescription]) -> String? {
        switch type {
        case .mp4:
            if let codec = track.sampleDescriptions.map(\.codec).first(where: { !StagingFormat.storableCodecs.contains($0) }) {
                return "codec \(codec) cannot be recorded to MP4"
            }
        case .flv:
            if let first = kept.first(where: { $0.kind == track.kind }) {
                return "FLV holds one \(track.kind) track; track \(first.trackID) is recorded"
            }
            do { _ = try FLVTagMuxer(tracks: [track]) } catch { return "cannot be recorded to FLV: \(error)" }
        case .ts:
            if track.kind == .video, let first = kept.first(where: { $0.kind == .video }) {
                return "this MPEG-TS writer holds one video track; track \(first.trackID) is recorded"
            }
            do { _ = try TSWriter(tracks: [track]) } catch { return "cannot be recorded to MPEG-TS: \(error)" }
        }
        return nil
    }
}
