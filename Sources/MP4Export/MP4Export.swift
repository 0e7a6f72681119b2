// MP4Export: a stream's recordings joined into one file without re-encoding.
//
// The model: a `SplicedFile` is a file that exists only as parts - bytes in memory (ftyp,
// moov, the mdat header) and ranges of chunk files (the samples). An export is planned from
// the chunks' sample tables alone: which samples fall in the range, where each lands in the
// output, and the moov that describes them; only then are bytes read, straight from the
// chunks, in whatever byte range a client asks. Nothing is written to disk and only the
// moov is held in memory, so an hour's export starts sending at once.
