// Shared by the reader fuzz targets (Fuzz/build.sh compiles Fuzz/Support/*.swift into each).

/// Calls `next` until it answers nil (more bytes needed) or has thrown 1000 times in a row:
/// the recorder's rule for its demuxers (`StreamInput`'s maxErrorsInARow), so a reader that
/// cannot move past damage stops instead of spinning, as it does in the recorder.
func drainSkippingErrors<Event>(_ next: () throws -> Event?) {
    var errorsInARow = 0
    while errorsInARow < 1000 {
        do {
            guard try next() != nil else { return }
            errorsInARow = 0
        } catch {
            errorsInARow += 1
        }
    }
}
