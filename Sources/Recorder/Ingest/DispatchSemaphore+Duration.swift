import Dispatch
import MediaCore

extension DispatchSemaphore {
    /// Waits for a signal at most `timeout`. DispatchTime is monotonic, as ContinuousClock: the
    /// bound holds across wall-clock changes. Timeouts past an hour are cut to an hour (the
    /// callers loop).
    func wait(upTo timeout: Duration) -> DispatchTimeoutResult {
        wait(timeout: .now() + .nanoseconds(timeout.waitNanoseconds))
    }
}
