import Operations
import XCTest

/// The text exposition format 0.0.4: HELP and TYPE per family, escaped label values, histogram
/// buckets cumulative with `+Inf`, `_sum` and `_count`. (promtool reads the real output in the
/// recorder's end-to-end test.)
final class PrometheusTextTests: XCTestCase {
    func testCountersHistogramsAndEscaping() {
        let registry = MetricsRegistry()
        registry.declareCounter("x_deletions_total", help: "Deleted.\nSecond line \\ done", labelSets: [[.init("reason", "age")]])
        registry.declareHistogram("x_duration_seconds", help: "How long.", buckets: [0.5, 1])
        registry.increment("x_deletions_total", labels: [.init("reason", "age")], by: 2)
        registry.increment("x_deletions_total", labels: [.init("reason", "a \"quoted\"\\path\n")])
        for value in [0.2, 0.7, 3] { registry.observe("x_duration_seconds", value) }
        registry.addCollector { [MetricFamily(name: "x_free_bytes", help: "Free.", kind: .gauge, samples: [.init(value: 1.5e12)])] }
        let text = PrometheusText.render(registry.families())
        XCTAssertEqual(text, """
        # HELP x_deletions_total Deleted.\\nSecond line \\\\ done
        # TYPE x_deletions_total counter
        x_deletions_total{reason="a \\"quoted\\"\\\\path\\n"} 1
        x_deletions_total{reason="age"} 2
        # HELP x_duration_seconds How long.
        # TYPE x_duration_seconds histogram
        x_duration_seconds_bucket{le="0.5"} 1
        x_duration_seconds_bucket{le="1"} 2
        x_duration_seconds_bucket{le="+Inf"} 3
        x_duration_seconds_sum 3.9
        x_duration_seconds_count 3
        # HELP x_free_bytes Free.
        # TYPE x_free_bytes gauge
        x_free_bytes 1500000000000

        """)
    }
}
