import Foundation
import MediaCore
import TestSupport
import XCTest

/// The recorder's `/metrics` as Prometheus itself reads it: `promtool check metrics` accepts
/// the text (after a recording, so every family has samples), and a real Prometheus server
/// scrapes the recorder and answers a query for a recorder metric through its HTTP API.
/// `/health` answers 200 with its JSON checks.
final class PrometheusScrapeTests: XCTestCase {
    func testPromtoolAcceptsTheMetricsAndPrometheusScrapesThem() throws {
        try FFmpegCheck.require()
        try ExternalTool.require(["prometheus", "promtool"], install: "apt-get install prometheus")
        let dir = TestPaths.temporaryDirectory("prometheus")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try RecorderProcess(directory: dir)
        defer { server.stop() }
        XCTAssertEqual(try server.command("/record?localStreamName=cam1&pathToFile=cam1&chunkLength=1")["status"] as? String, "SUCCESS")
        let publisher = try OperationsSupport.publish(port: server.rtmpPort, name: "cam1", seconds: 4)
        XCTAssertTrue(server.waitForLog("recordChunkFinalized", count: 2), server.log_())

        // promtool, on the text of a scrape taken while the stream is live.
        let metrics = try LoopbackHTTP.get(port: server.httpPort, target: "/metrics")
        XCTAssertEqual(metrics.status, 200)
        for name in ["recorder_streams_live{protocol=\"rtmp\"} 1", "recorder_recordings_active 1", "recorder_ingest_bytes_total{protocol=\"rtmp\"}",
                     "recorder_written_bytes_total", "recorder_chunks_finalized_total", "recorder_finalize_duration_seconds_bucket",
                     "recorder_recovery_runs_total 1", "recorder_retention_deletions_total{reason=\"bytes\"} 0",
                     "recorder_storage_free_bytes{root=", "recorder_storage_used_bytes{root=", "recorder_finalizer_queue_length",
                     "recorder_build_info{version="] {
            XCTAssertTrue(metrics.body.contains(name), "\(name) in:\n\(metrics.body)")
        }
        let file = dir + "/metrics.txt"
        try metrics.body.write(toFile: file, atomically: true, encoding: .utf8)
        let check = try ExternalTool.run("/bin/sh", ["-c", "promtool check metrics < '\(file)'"])
        XCTAssertEqual(check.status, 0, "promtool check metrics: \(check.stdout)\(check.stderr)")
        XCTAssertEqual(check.stdout + check.stderr, "", "promtool has no complaint (lint included)")
        publisher.waitUntilExit()

        let health = try LoopbackHTTP.get(port: server.httpPort, target: "/health")
        XCTAssertEqual(health.status, 200, health.body)
        let report = try JSONSerialization.jsonObject(with: Data(health.body.utf8)) as? [String: Any]
        XCTAssertEqual(report?["status"] as? String, "ok")
        XCTAssertEqual((report?["checks"] as? [String: Any])?.keys.sorted().prefix(4),
                       ["api", "catalog", "finalizer", "listeners"])

        // A real Prometheus scraping every second.
        let promPort = freeTCPPort()
        let config = """
        global:
          scrape_interval: 1s
        scrape_configs:
          - job_name: recorder
            static_configs:
              - targets: ["127.0.0.1:\(server.httpPort)"]
        """
        try config.write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let prometheus = Process()
        prometheus.executableURL = URL(fileURLWithPath: ExternalTool.find("prometheus")!)
        prometheus.arguments = ["--config.file=\(dir)/prometheus.yml", "--storage.tsdb.path=\(dir)/tsdb",
                                "--web.listen-address=127.0.0.1:\(promPort)"]
        let promLog = FileHandle(forWritingAtPath: { FileManager.default.createFile(atPath: dir + "/prometheus.log", contents: nil); return dir + "/prometheus.log" }())!
        prometheus.standardOutput = promLog
        prometheus.standardError = promLog
        try prometheus.run()
        defer {
            prometheus.terminate()
            prometheus.waitUntilExit()
        }
        var value: Double?
        let deadline = Date().addingTimeInterval(60)
        while value == nil && Date() < deadline {
            usleep(500_000)
            guard let answer = try? LoopbackHTTP.get(port: promPort, target: "/api/v1/query?query=recorder_chunks_finalized_total"),
                  answer.status == 200,
                  let json = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any],
                  let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]],
                  let first = result.first, let pair = first["value"] as? [Any], pair.count == 2,
                  let text = pair[1] as? String else { continue }
            value = Double(text)
        }
        let promText = (try? String(contentsOfFile: dir + "/prometheus.log", encoding: .utf8)) ?? ""
        XCTAssertNotNil(value, "Prometheus never returned recorder_chunks_finalized_total:\n\(promText.suffix(3000))")
        XCTAssertGreaterThanOrEqual(value ?? 0, 2, "the finalized chunks, as Prometheus scraped them")
        let up = try LoopbackHTTP.get(port: promPort, target: "/api/v1/query?query=up%7Bjob%3D%22recorder%22%7D")
        XCTAssertTrue(up.body.contains("\"1\""), "the recorder target is up: \(up.body)")
    }
}
