// ISOBMFF: the ISO base media file format (ISO/IEC 14496-12, "MP4") as this project reads and
// writes it.
//
// The model, bottom up:
//
//   BoxHeader     size, type, optional 64-bit size and `uuid` type, and where the box sits.
//   Box           a box this module understands: `static let type`, a body parser
//                 (`init(body:)`), `bodySize` computed from content, and `writeBody(to:)`.
//                 The header is written in one place (`ByteWriter.writeBox`), which checks that
//                 the body wrote exactly `bodySize` bytes. One file per box, named after the spec.
//   RawBox        any other box, kept as bytes so nothing is lost on re-encode.
//   BoxNode       one box of a file: its header (file offset, header size, total size) and
//   BoxTree       either its children (containers), its body bytes, or nothing (`mdat`: the
//                 payload stays in the file). `BoxTree` is the top level in file order.
//   MP4Reader     the movie above the tree: `MP4Track`s with MediaCore `SampleDescription`s,
//   MP4Track      samples expanded from the sample tables (`MP4Sample`), and the edit-list
//   MP4Sample     timeline (`PresentationTimeline`) that puts every track on the presentation
//                 clock exactly as ffmpeg does, so that frames compare equal to ffprobe's packets.
//
// Parsing never traps on input: every read is bounds-checked, counts are checked against the
// bytes that remain before anything is allocated, and failures are `MP4ParseError`s that name
// the box and its file offset.
