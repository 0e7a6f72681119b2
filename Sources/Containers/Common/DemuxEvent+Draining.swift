extension DemuxEvent {
    /// Errors in a row after which a reader is left until more bytes come: one that cannot
    /// move past damage must not spin forever. The recorder's rule for its demuxers
    /// (`StreamInput`), which the fuzz harnesses and the hostile-input tests follow.
    public static let maxErrorsInARow = 1000

    /// Calls `next` (a reader's `next()`) until it answers nil, more bytes being needed, or
    /// has thrown `maxErrorsInARow` times in a row; the errors are skipped.
    public static func drain(_ next: () throws -> DemuxEvent?) {
        var errorsInARow = 0
        while errorsInARow < maxErrorsInARow {
            do {
                guard try next() != nil else { return }
                errorsInARow = 0
            } catch {
                errorsInARow += 1
            }
        }
    }
}
