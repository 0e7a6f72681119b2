import MediaCore
@testable import Recorder

/// Small tracks and frames for the unit tests of a recording's pieces: video (track 1, 90 kHz)
/// and AAC audio (track 2, 48 kHz), timestamps given in milliseconds.
enum RecordingPieces {
    static let video = TrackDescription(trackID: 1, timescale: 90_000,
                                        sampleDescriptions: [SampleDescription(codec: .h264, configuration: [1], width: 64, height: 48)])
    static let audio = TrackDescription(trackID: 2, timescale: 48_000,
                                        sampleDescriptions: [SampleDescription(codec: .aac, configuration: [0x11, 0x90],
                                                                               sampleRate: 48_000, channelCount: 2)])

    static func videoFrame(ms: Int64, ptsMs: Int64? = nil, key: Bool = false, bytes: Int = 10) -> MediaFrame {
        MediaFrame(trackID: 1, dts: ms * 90, pts: (ptsMs ?? ms) * 90, isKeyframe: key, payload: [UInt8](repeating: 0, count: bytes))
    }

    static func audioFrame(ms: Int64, bytes: Int = 4) -> MediaFrame {
        MediaFrame(trackID: 2, dts: ms * 48, pts: ms * 48, isKeyframe: true, payload: [UInt8](repeating: 0, count: bytes))
    }

    static func tracks(_ announced: [TrackDescription], type: RecordParameters.OutputType = .mp4) -> RecordingTracks {
        var tracks = RecordingTracks(type: type)
        for track in announced { _ = tracks.announce(track) }
        return tracks
    }
}
