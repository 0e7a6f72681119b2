import Foundation
import MediaCore

/// Applies a `RetentionPolicy` to the catalog's recordings: plans from the catalog's order and
/// byte totals (never a directory walk), one `statvfs` per root, then deletes oldest first.
///
/// Only complete recordings (`finalized`, `recovered`) are ever deleted: a chunk being written
/// or finalized, a staging set, and any file the catalog does not hold are out of its reach.
/// The clock, the filesystem usage and the per-config policies are injected, so a test can
/// age recordings without waiting and shrink a filesystem without mounting one.
public final class RetentionEnforcer: @unchecked Sendable {
    public typealias UsageProbe = @Sendable (_ root: String) throws -> FilesystemUsage

    /// What a check did.
    public struct Outcome: Sendable {
        public var plan: RetentionPlan
        /// The deletions carried out (a planned one whose file could not be removed is in
        /// `failures`, and stays in the catalog).
        public var deleted: [RetentionPlan.Deletion] = []
        public var failures: [String] = []
    }

    public let catalog: RecordingCatalog
    public let policy: RetentionPolicy
    /// Allowed roots, absolute: the floor is kept on the filesystem of each.
    public let roots: [String]
    private let overrides: @Sendable () -> [Int: RetentionPolicy]
    private let now: @Sendable () -> Double
    private let usage: UsageProbe

    public init(catalog: RecordingCatalog, policy: RetentionPolicy, roots: [String],
                overrides: @escaping @Sendable () -> [Int: RetentionPolicy] = { [:] },
                now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
                usage: @escaping UsageProbe = { root throws in try FileSystem.usage(root) }) {
        self.catalog = catalog
        self.policy = policy
        self.roots = roots
        self.overrides = overrides
        self.now = now
        self.usage = usage
    }

    /// True when there is nothing to enforce (no limit, globally or in any config).
    public var isIdle: Bool { policy.isEmpty && overrides().values.allSatisfy(\.isEmpty) }

    /// Decides what to delete, without deleting.
    public func plan() -> RetentionPlan {
        var plan = RetentionPlan()
        let now = now()
        let configPolicies = overrides()
        let totals = catalog.byteTotals()

        var globalExcess: UInt64 = policy.maxBytes.map { totals.all > $0 ? totals.all - $0 : 0 } ?? 0
        var configExcess: [Int: UInt64] = [:]
        for (id, own) in configPolicies {
            guard let cap = own.maxBytes, let used = totals.byConfig[id], used > cap else { continue }
            configExcess[id] = used - cap
        }
        let ages = ([policy.maxAgeSeconds] + configPolicies.values.map(\.maxAgeSeconds)).compactMap { $0 }
        let youngestLimit = ages.min()

        // The floor, per filesystem (roots sharing one share its free space).
        var filesystemOf: [String: UInt64] = [:]
        var shortfall: [UInt64: UInt64] = [:]
        var available: [UInt64: UInt64] = [:]
        if let floor = policy.minFreeBytes {
            for root in roots {
                guard let u = try? usage(root) else { continue }
                filesystemOf[root] = u.filesystemID
                available[u.filesystemID] = u.availableBytes
                if u.availableBytes < floor { shortfall[u.filesystemID] = floor - u.availableBytes }
            }
        }
        func root(of file: String) -> String? {
            roots.filter { file.hasPrefix($0 == "/" ? "/" : $0 + "/") }.max { $0.count < $1.count }
        }

        catalog.visitOldestFirst { entry in
            plan.visited += 1
            let settled = globalExcess == 0 && configExcess.isEmpty && shortfall.isEmpty
            if settled && youngestLimit.map({ entry.startTime > now - $0 }) ?? true { return false }
            guard entry.state.isComplete else { return true }
            let maxAge = entry.configId.flatMap { configPolicies[$0]?.maxAgeSeconds } ?? policy.maxAgeSeconds
            let filesystem = root(of: entry.file).flatMap { filesystemOf[$0] }
            let reason: RetentionReason
            if let maxAge, now - entry.endTime > maxAge {
                reason = .age
            } else if let id = entry.configId, configExcess[id] != nil {
                reason = .bytes
            } else if globalExcess > 0 {
                reason = .bytes
            } else if let filesystem, shortfall[filesystem] != nil {
                reason = .freeSpace
            } else {
                return true
            }
            plan.deletions.append(.init(entry: entry, reason: reason))
            globalExcess -= min(globalExcess, entry.bytes)
            if let id = entry.configId, let excess = configExcess[id] {
                configExcess[id] = excess > entry.bytes ? excess - entry.bytes : nil
            }
            if let filesystem {
                available[filesystem, default: 0] += entry.bytes
                if let short = shortfall[filesystem] { shortfall[filesystem] = short > entry.bytes ? short - entry.bytes : nil }
            }
            return true
        }

        if let floor = policy.minFreeBytes {
            for root in roots {
                guard let fs = filesystemOf[root], shortfall[fs] != nil else { continue }
                plan.shortages.append(.init(root: root, availableBytes: available[fs] ?? 0, floorBytes: floor))
            }
        }
        return plan
    }

    /// Plans, then deletes; the journal is synced afterwards.
    public func enforce() -> Outcome {
        var outcome = Outcome(plan: plan())
        for deletion in outcome.plan.deletions {
            do {
                try catalog.deleteComplete(deletion.entry.file) { file in try FileSystem.remove(file) }
                outcome.deleted.append(deletion)
            } catch {
                outcome.failures.append(error.description)
            }
        }
        catalog.sync()
        return outcome
    }
}
