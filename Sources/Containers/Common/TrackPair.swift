import MediaCore

/// The at most one video and one audio track that the FLV and MPEG-TS writers carry: the
/// lookups and the mid-stream description changes both writers share.
enum TrackPair {
    /// Appends `description` to the track `trackID` (same codec only) and returns its
    /// 1-based index; nil when no such track can take it.
    static func appendDescription(_ description: SampleDescription, toTrack trackID: UInt32,
                                  video: inout TrackDescription?, audio: inout TrackDescription?) -> UInt16? {
        if var track = video, track.trackID == trackID, description.codec == track.codec {
            track.sampleDescriptions.append(description)
            video = track
            return UInt16(track.sampleDescriptions.count)
        }
        if var track = audio, track.trackID == trackID, description.codec == track.codec {
            track.sampleDescriptions.append(description)
            audio = track
            return UInt16(track.sampleDescriptions.count)
        }
        return nil
    }

    /// The track of `frame` when its sample description index names one of that track's.
    static func track(for frame: MediaFrame, video: TrackDescription?, audio: TrackDescription?) -> TrackDescription? {
        guard let track = [video, audio].compactMap({ $0 }).first(where: { $0.trackID == frame.trackID }),
              frame.sampleDescriptionIndex >= 1,
              Int(frame.sampleDescriptionIndex) <= track.sampleDescriptions.count else { return nil }
        return track
    }
}
