/// One compressed access unit, the single type that crosses every boundary: demuxers produce
/// it, muxers and the staging writer consume it.
///
/// Timestamps are in the track's timescale on a timeline common to all tracks of a stream.
/// A negative `pts` is pre-roll (for example AAC encoder priming): decoded but not presented.
/// The payload is in MP4 form: length-prefixed NAL units (4-byte lengths) for H.264/H.265,
/// raw AAC frames without ADTS headers; AV1 temporal units as OBUs with size fields and no
/// temporal delimiter; VP9 frames or superframes as encoded.
///
/// The payload is a slice, so that a demuxer hands out the frame's bytes where they already
/// lie (an RTMP message, a PES packet) instead of copying them into an array of their own:
/// the slice shares that buffer's storage. Its indices are the buffer's, not zero-based: read
/// it with `payload.first`, `payload[payload.startIndex + i]`, or through `Array(payload)`.
public struct MediaFrame: Sendable, Equatable {
    public var trackID: UInt32
    public var dts: Int64
    public var pts: Int64
    public var isKeyframe: Bool
    /// 1-based index into the track's sample descriptions (changes mid-stream on a new SPS).
    public var sampleDescriptionIndex: UInt16
    public var payload: ArraySlice<UInt8>

    public init(trackID: UInt32, dts: Int64, pts: Int64, isKeyframe: Bool,
                sampleDescriptionIndex: UInt16 = 1, payload: ArraySlice<UInt8>) {
        self.trackID = trackID
        self.dts = dts
        self.pts = pts
        self.isKeyframe = isKeyframe
        self.sampleDescriptionIndex = sampleDescriptionIndex
        self.payload = payload
    }

    /// A frame owning `payload` whole (the slice covers the array, sharing its storage).
    public init(trackID: UInt32, dts: Int64, pts: Int64, isKeyframe: Bool,
                sampleDescriptionIndex: UInt16 = 1, payload: [UInt8]) {
        self.init(trackID: trackID, dts: dts, pts: pts, isKeyframe: isKeyframe,
                  sampleDescriptionIndex: sampleDescriptionIndex, payload: payload[...])
    }

    /// pts - dts: the composition offset of B-frame streams.
    public var compositionOffset: Int64 { pts - dts }
}
