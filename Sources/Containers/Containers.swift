// Containers: FLV and MPEG-TS, converted to and from MediaCore's `MediaFrame`.
//
// The model, shared by both formats:
//
//   reader    push bytes in (`push(_:)`), pull `DemuxEvent`s out (`next()`). `next()` returns
//             nil when it needs more bytes and then has consumed nothing it will need again
//             (the shape of swift-nio's decoders), so a socket can feed it any split of the
//             stream. `finish()` flushes what only the end of the stream completes.
//   events    `.track` when a track's first sample description is known, `.sampleDescription`
//             when a later one appears (a new SPS, another resolution), `.frame` for each
//             access unit, `.metadata` for FLV's onMetaData. Frames carry the 1-based index
//             of their description.
//   frames    MP4 form: 4-byte length-prefixed NAL units (parameter sets and AUDs taken out
//             of band), raw AAC without ADTS. Track 1 is video, track 2 audio.
//   writer    frames in, bytes out (`FLVWriter`, `TSWriter`), plus thin file writers that
//             append those bytes and, for FLV, patch onMetaData in place on close.
//
// FLV's tag-body layer (`FLVTagDemuxer`, `FLVTagMuxer`) is separate from its file framing,
// because RTMP messages carry the same bodies. AMF0 (`AMF0Value`, `AMF0Decoder`,
// `AMF0Encoder`) is here for onMetaData and is reused by RTMP.
//
// Readers never trap on input. A damaged unit (an FLV tag, a PES packet) is consumed and its
// error thrown; calling `next()` again goes on with what follows. Every limit is a named
// constant with its reason. Codec parsing is MediaCore's; this module only frames.
