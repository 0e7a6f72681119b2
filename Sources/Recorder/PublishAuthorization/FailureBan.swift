/// Slows down guessing: after `maxFailures` refusals that count (wrong or missing key, a
/// callback's no) from one address within `window`, that address is refused for `duration`,
/// whatever it presents. Not thread-safe; the authorizer holds it under its lock.
public struct FailureBan: Sendable {
    public struct Settings: Sendable, Equatable {
        public var maxFailures = 5
        public var window: Duration = .seconds(60)
        public var duration: Duration = .seconds(30)
        public init() {}
    }

    /// Addresses tracked at most: a flood of spoofed sources must not grow memory without
    /// bound. Past this the entries with the oldest activity go first.
    public static let maxTrackedAddresses = 10_000

    public let settings: Settings
    private var failures: [String: [ContinuousClock.Instant]] = [:]
    private var bannedUntil: [String: ContinuousClock.Instant] = [:]

    public init(settings: Settings) { self.settings = settings }

    /// When `host`'s ban ends, if it is banned at `now`.
    public mutating func banEnd(for host: String, at now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        guard let end = bannedUntil[host] else { return nil }
        if end > now { return end }
        bannedUntil[host] = nil
        return nil
    }

    /// Notes a failure; true when it starts a ban.
    public mutating func recordFailure(from host: String, at now: ContinuousClock.Instant) -> Bool {
        var recent = (failures[host] ?? []).filter { now - $0 < settings.window }
        recent.append(now)
        if recent.count >= settings.maxFailures {
            failures[host] = nil
            bannedUntil[host] = now + settings.duration
            return true
        }
        failures[host] = recent
        if failures.count > Self.maxTrackedAddresses {
            let oldest = failures.min { ($0.value.last ?? now) < ($1.value.last ?? now) }
            if let oldest { failures[oldest.key] = nil }
        }
        if bannedUntil.count > Self.maxTrackedAddresses {
            bannedUntil = bannedUntil.filter { $0.value > now }
        }
        return false
    }
}
