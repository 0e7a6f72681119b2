import Dispatch

extension DispatchSemaphore {
    /// Waits for a signal at most `timeout`. DispatchTime is monotonic, as ContinuousClock: the
    /// bound holds across wall-clock changes. Timeouts past an hour are cut to an hour (the
    /// callers loop).
    func wait(upTo timeout: Duration) -> DispatchTimeoutResult {
        let (seconds, attoseconds) = max(timeout, .zero).components
        let nanoseconds = Int(min(seconds, 3600)) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        return wait(timeout: .now() + .nanoseconds(nanoseconds))
    }
}
