// RTMP: the server side of Adobe's Real-Time Messaging Protocol (RTMP specification 1.0,
// 2012), as publishers (ffmpeg, OBS, hardware encoders) speak it. No sockets here: every type
// takes bytes in and gives bytes and events out, so that tests drive it byte by byte and the
// recorder owns threads, timeouts and the engine.
//
// The layers, one folder each, each using only the ones above it:
//
//   Handshake/  C0+C1 in, S0+S1+S2 out, then C2 (section 5.2; the plain form, which publishers
//               accept: S1's version field is zero, so no digest is expected).
//   Chunk/      the chunk stream (5.3): `ChunkHeader` (four header types, extended
//               timestamps), `ChunkStreamDecoder` (incremental: `next()` returns nil for "need
//               more bytes" and has then consumed nothing), `ChunkStreamEncoder`.
//   Message/    what chunks carry: `RTMPMessage`, protocol control (5.4: Set Chunk Size,
//               Abort, Acknowledgement, Window Acknowledgement Size, Set Peer Bandwidth), user
//               control events (6.2), and AMF0 commands (7.1), the AMF0 itself being
//               Containers' (`AMF0Decoder`, `AMF0Encoder`).
//   Session/    `RTMPServerSession`: connect, releaseStream, FCPublish, createStream,
//               publish, FCUnpublish, deleteStream, answered as clients expect; media and
//               data messages come out as FLV tag bodies (`RTMPServerEvent.media`).
//
// Untrusted input never traps: every length is checked against a named limit before memory is
// given to it, and every error is an `RTMPError` that says what and where.
