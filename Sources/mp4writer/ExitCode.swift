/// mp4writer's exit codes (documented in README and `--help`).
enum ExitCode: Int32 {
    /// Finalized a clean set (or, in batch mode, everything found was clean).
    case success = 0
    /// Could not finalize (I/O error, a damaged set without --recovery, winQtCompat refusal).
    case failure = 1
    /// The command line was wrong.
    case usage = 2
    /// No staging set at that path (already finalized, or never recorded).
    case nothingToDo = 3
    /// --recovery made an MP4 but had to drop damaged samples or records.
    case recoveredWithLosses = 4
    /// --recovery found no intact sample to keep.
    case nothingRecoverable = 5
    /// Another process (a live recorder) still holds the set's lock.
    case locked = 6
}
