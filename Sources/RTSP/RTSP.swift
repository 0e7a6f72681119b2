// RTSP (RFC 2326) with RTP (RFC 3550) for recording IP cameras (pull) and RTSP publishers
// (push), without sockets: bytes in, messages and media events out.
//
// - Message: `RTSPMessage` (a request or response, bounded), `RTSPStreamDecoder` (the TCP byte
//   stream: messages mixed with `$` interleaved RTP/RTCP frames, junk skipped), `RTSPURL`,
//   `RTSPTransport` (the Transport header).
// - SDP: `SessionDescription` (RFC 4566) with what a recorder needs of each m-line
//   (`MediaDescription`: payload type, rtpmap, fmtp, a=control resolved against Content-Base).
// - RTP: `RTPPacket`, `RTCPPacket` (sender reports give the wall clock), the per-track
//   `RTPTrackReceiver` (sequence gaps, depacketizing, DTS), the per-session
//   `RTPSessionTimeline` (32-bit timestamp unwrap, track alignment, jumps closed: every time
//   made in one place) and `RTPStreamAssembler` that turns every track of an SDP into the
//   `DemuxEvent`s every other ingest produces.
// - Depacketizer: H.264 (RFC 6184), H.265 (RFC 7798), AAC as mpeg4-generic (RFC 3640) and
//   MP4A-LATM (RFC 6416), G.711 (RFC 3551).
// - Auth: Basic and Digest (RFC 2617, RFC 7616 with SHA-256), client and server side.
// - Session: `RTSPClientSession` (OPTIONS, DESCRIBE, SETUP, PLAY, keepalive, redirects) and
//   `RTSPServerSession` (OPTIONS, ANNOUNCE, SETUP, RECORD, TEARDOWN), each a state machine
//   the caller drives with received messages and the clock.
//
// Every parser takes untrusted bytes, bounds what it buffers with named limits and throws
// `RTSPError`; none traps.
