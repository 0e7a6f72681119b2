import Foundation
import MediaCore
import Synchronization

/// Decides who may publish, before any stream is created, so a refused publisher never takes
/// a name. Every ingest calls `authorize(_:keys:)` with a protocol-neutral `PublishRequest`;
/// the rules run in this order, the first refusal winning:
///
/// 1. a ban: an address with `ban.maxFailures` counted failures in `ban.window` is refused
///    for `ban.duration`;
/// 2. the address rules (`--allow-publish`, `--deny-publish`);
/// 3. (RTMP, RTSP) the publish key: the keys that apply to the name are the `publishKey` of
///    its record configs, or, when none has one, `--publish-key`; the key presented (`key=`
///    in the query, or the RTSP password) must equal one of them, compared in constant time;
/// 4. (RTMP, RTSP) the auth callback, whose 3xx may rename the stream.
///
/// MPEG-TS senders have only an address: steps 1 and 2 apply to them. Refusals are counted
/// per reason (`refusalCounts`, for a metrics endpoint). Thread-safe: ingests call it from
/// their connection threads; the callback runs outside the lock.
public final class PublishAuthorizer: Sendable {
    public let policy: PublishPolicy
    private let now: @Sendable () -> ContinuousClock.Instant
    /// Failures per host (bans) and refusals per protocol and reason: a leaf lock.
    private struct Tally {
        var ban: FailureBan
        var counts: [PublishProtocol: [PublishRefusal.Reason: Int]] = [:]
    }
    private let tally: Mutex<Tally>

    /// `now` is injectable so that tests can move time past a ban.
    public init(policy: PublishPolicy, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.policy = policy
        self.now = now
        tally = Mutex(Tally(ban: FailureBan(settings: policy.ban)))
    }

    /// Refusals so far, per reason over every protocol (every reason present, 0 when none).
    public var refusalCounts: [PublishRefusal.Reason: Int] {
        let all = refusalCountsByProtocol.values
        return Dictionary(uniqueKeysWithValues: PublishRefusal.Reason.allCases.map { reason in
            (reason, all.reduce(0) { $0 + ($1[reason] ?? 0) })
        })
    }

    /// Refusals so far per protocol and reason: RTMP always, other protocols once refused;
    /// every reason present under each, 0 when none.
    public var refusalCountsByProtocol: [PublishProtocol: [PublishRefusal.Reason: Int]] {
        tally.withLock { tally in
            let counts = tally.counts
            var result: [PublishProtocol: [PublishRefusal.Reason: Int]] = [:]
            for proto in Set(counts.keys).union([.rtmp]) {
                result[proto] = Dictionary(uniqueKeysWithValues: PublishRefusal.Reason.allCases.map { ($0, counts[proto]?[$0] ?? 0) })
            }
            return result
        }
    }

    public var totalRefusals: Int { tally.withLock { $0.counts.values.reduce(0) { $0 + $1.values.reduce(0, +) } } }

    /// The decision for `request`; `keys` are the publish keys of the record configs of the
    /// name asked for (empty when none sets one). Refusals are counted here.
    public func authorize(_ request: PublishRequest, keys: [String]) -> PublishDecision {
        let decision = decide(request, keys: keys)
        if case .refuse(let refusal) = decision { count(refusal, request.ingestProtocol, host: request.clientHost) }
        return decision
    }

    /// Counts a refusal the ingest made itself (the name is live from another publisher).
    public func noteRefusal(_ refusal: PublishRefusal, _ ingestProtocol: PublishProtocol, host: String?) {
        count(refusal, ingestProtocol, host: host)
    }

    /// The keys that apply to a name whose record configs set `configKeys`: those, or, when
    /// they set none, the global key (empty: the name needs no key).
    public func requiredKeys(configKeys: [String]) -> [String] {
        configKeys.isEmpty ? (policy.globalKey.map { [$0] } ?? []) : configKeys
    }

    /// Whether `name` is usable as a stream name (what `record` accepts for localStreamName).
    public static func isValidStreamName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= RecordParameters.maxNameLength && !name.contains("/") && !name.contains("\0")
            && !name.contains("?")
    }

    private func decide(_ request: PublishRequest, keys: [String]) -> PublishDecision {
        let host = request.clientHost
        if let host, let end = tally.withLock({ $0.ban.banEnd(for: host, at: now()) }) {
            let seconds = Int(((end - now()) / .seconds(1)).rounded(.up))
            return .refuse(PublishRefusal(.addressBanned, "\(host) failed too often: refused for \(seconds) s more"))
        }
        if let reason = policy.addressRules.refusal(forHost: host) {
            return .refuse(PublishRefusal(.addressDenied, reason))
        }
        guard Self.isValidStreamName(request.name) else {
            return .refuse(PublishRefusal(.nameInvalid, "'\(PublishSecrets.redacted(request.name))' is not a stream name"))
        }
        guard request.ingestProtocol.carriesCredentials else { return .allow(name: request.name) }
        let required = requiredKeys(configKeys: keys)
        if !required.isEmpty {
            guard let presented = request.presentedKey, !presented.isEmpty else {
                return .refuse(PublishRefusal(.keyMissing, "\(request.name) needs a publish key (key= in the URL or stream key)"))
            }
            // Every key is compared, so the time taken does not say which one came close.
            var matches = false
            for key in required where PublishSecrets.constantTimeEquals(presented, key) { matches = true }
            guard matches else { return .refuse(PublishRefusal(.keyWrong, "wrong publish key for \(request.name)")) }
        }
        guard let callback = policy.callback else { return .allow(name: request.name) }
        return ask(callback, about: request)
    }

    private func ask(_ callback: PublishCallback, about request: PublishRequest) -> PublishDecision {
        let body = PublishCallback.formBody(PublishCallback.formFields(for: request))
        let answer: HTTPPostClient.Answer
        do {
            answer = try HTTPPostClient.post(callback.url, body: body, contentType: .form, deadline: .now + callback.timeout)
        } catch {
            return .refuse(PublishRefusal(.callbackFailed, "the auth callback \(PublishSecrets.redacted(callback.url.description)) failed, so publishing is refused (fail closed): \(error)"))
        }
        let decision = PublishCallback.decision(status: answer.status, location: answer.location, for: request)
        if case .allow(let name) = decision, !Self.isValidStreamName(name) {
            return .refuse(PublishRefusal(.nameInvalid, "the auth callback renamed the stream to '\(PublishSecrets.redacted(name))', which is not a stream name"))
        }
        return decision
    }

    private func count(_ refusal: PublishRefusal, _ ingestProtocol: PublishProtocol, host: String?) {
        tally.withLock { tally in
            tally.counts[ingestProtocol, default: [:]][refusal.reason, default: 0] += 1
            if refusal.reason.countsTowardBan, let host { _ = tally.ban.recordFailure(from: host, at: now()) }
        }
    }
}
