/// What `GET /health` answers: each check with whether it passes and what it saw. Healthy
/// when every check passes; the reasons are the failing checks' details.
public struct HealthReport: Sendable, Equatable {
    public struct Check: Sendable, Equatable {
        public var name: String
        public var ok: Bool
        public var detail: String

        public init(name: String, ok: Bool, detail: String) {
            self.name = name
            self.ok = ok
            self.detail = detail
        }
    }

    public var checks: [Check]

    public init(checks: [Check]) { self.checks = checks }

    public var isHealthy: Bool { checks.allSatisfy(\.ok) }

    /// "name: detail" of each failing check.
    public var reasons: [String] { checks.filter { !$0.ok }.map { "\($0.name): \($0.detail)" } }
}
