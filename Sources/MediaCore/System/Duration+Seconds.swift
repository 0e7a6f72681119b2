extension Duration {
    /// The duration in seconds, as a `Double` (log lines, arrival times, rates, timer intervals).
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }

    /// Whole nanoseconds for a monotonic wait (`DispatchTime.now() + .nanoseconds(n)`): negative
    /// durations are zero, and waits past an hour are cut to an hour (callers that wait longer loop).
    public var waitNanoseconds: Int {
        let (seconds, attoseconds) = max(self, .zero).components
        return Int(min(seconds, 3600)) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
    }
}
