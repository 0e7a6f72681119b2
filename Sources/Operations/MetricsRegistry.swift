import Foundation
import Synchronization

/// The recorder's counters and histograms, and the gauges read when scraped.
///
/// Counters and histograms are declared once (name, help, buckets, the label sets that
/// exist from the start at 0, so an alert on their rate works before the first event) and
/// then changed from any thread. Gauges that describe the present (streams live, free bytes)
/// are not stored: `addCollector` registers a closure that computes them at each scrape.
/// Names carry one prefix and base units (`_bytes`, `_seconds`); counters end in `_total`.
public final class MetricsRegistry: @unchecked Sendable {
    private struct Stored {
        var help: String
        var kind: MetricFamily.Kind
        var buckets: [Double] = []
        /// Per label set: the counter's value, or a histogram's bucket counts, sum and count.
        var series: [[MetricFamily.Label]: Series] = [:]
    }

    private struct Series {
        var value = 0.0
        var bucketCounts: [UInt64] = []
        var count: UInt64 = 0
        /// A counter resolved once (`counter(_:labels:)`), added to without the lock.
        var cell: CounterCell?
        var total: Double { value + Double(cell?.total ?? 0) }
    }

    /// One series of a counter, resolved once by name and labels, for a count made on a hot
    /// path (the bytes of every frame ingested): adding is one atomic add, with no lock and
    /// no hashing of the name and labels. Its value shows in the registry like any other.
    public final class CounterCell: Sendable {
        private let count = Atomic<UInt64>(0)

        public func add(_ amount: Int) {
            guard amount > 0 else { return }
            count.wrappingAdd(UInt64(amount), ordering: .relaxed)
        }

        var total: UInt64 { count.load(ordering: .relaxed) }
    }

    private let lock = NSLock()
    private var stored: [String: Stored] = [:]
    private var collectors: [@Sendable () -> [MetricFamily]] = []

    public init() {}

    public func declareCounter(_ name: String, help: String, labelSets: [[MetricFamily.Label]] = [[]]) {
        lock.withLock {
            var family = Stored(help: help, kind: .counter)
            for labels in labelSets { family.series[labels] = Series() }
            stored[name] = family
        }
    }

    /// `buckets`: upper bounds, ascending; `+Inf` is added.
    public func declareHistogram(_ name: String, help: String, buckets: [Double]) {
        lock.withLock {
            var family = Stored(help: help, kind: .histogram, buckets: buckets.sorted())
            family.series[[]] = Series(bucketCounts: Array(repeating: 0, count: buckets.count))
            stored[name] = family
        }
    }

    /// Adds `amount` (not negative) to a declared counter.
    public func increment(_ name: String, labels: [MetricFamily.Label] = [], by amount: Double = 1) {
        guard amount > 0 else { return }
        lock.withLock {
            guard stored[name]?.kind == .counter else { return }
            stored[name]!.series[labels, default: Series()].value += amount
        }
    }

    /// The cell of a declared counter's series `labels` (made at 0 when new); nil when `name`
    /// is not a declared counter.
    public func counter(_ name: String, labels: [MetricFamily.Label] = []) -> CounterCell? {
        lock.withLock {
            guard stored[name]?.kind == .counter else { return nil }
            if let cell = stored[name]!.series[labels]?.cell { return cell }
            let cell = CounterCell()
            stored[name]!.series[labels, default: Series()].cell = cell
            return cell
        }
    }

    public func observe(_ name: String, _ value: Double) {
        lock.withLock {
            guard let family = stored[name], family.kind == .histogram else { return }
            var series = family.series[[]] ?? Series(bucketCounts: Array(repeating: 0, count: family.buckets.count))
            for (index, bound) in family.buckets.enumerated() where value <= bound { series.bucketCounts[index] += 1 }
            series.value += value
            series.count += 1
            stored[name]!.series[[]] = series
        }
    }

    /// The current value of a counter (tests, and gauges derived from counters).
    public func value(_ name: String, labels: [MetricFamily.Label] = []) -> Double {
        lock.withLock { stored[name]?.series[labels]?.total ?? 0 }
    }

    /// `collect` runs at each scrape, outside the registry's lock.
    public func addCollector(_ collect: @escaping @Sendable () -> [MetricFamily]) {
        lock.withLock { collectors.append(collect) }
    }

    /// Every family, sorted by name: the stored ones and the collected ones.
    public func families() -> [MetricFamily] {
        let (snapshot, collect) = lock.withLock { (stored, collectors) }
        var result = collect.flatMap { $0() }
        for (name, family) in snapshot {
            let series = family.series.sorted { "\($0.key)" < "\($1.key)" }
            var samples: [MetricFamily.Sample] = []
            switch family.kind {
            case .counter, .gauge:
                samples = series.map { MetricFamily.Sample(labels: $0.key, value: $0.value.total) }
            case .histogram:
                for (labels, s) in series {
                    for (index, bound) in family.buckets.enumerated() {
                        samples.append(.init(suffix: "_bucket", labels: labels + [.init("le", PrometheusText.format(bound))],
                                             value: Double(s.bucketCounts[index])))
                    }
                    samples.append(.init(suffix: "_bucket", labels: labels + [.init("le", "+Inf")], value: Double(s.count)))
                    samples.append(.init(suffix: "_sum", labels: labels, value: s.value))
                    samples.append(.init(suffix: "_count", labels: labels, value: Double(s.count)))
                }
            }
            result.append(MetricFamily(name: name, help: family.help, kind: family.kind, samples: samples))
        }
        return result.sorted { $0.name < $1.name }
    }
}
