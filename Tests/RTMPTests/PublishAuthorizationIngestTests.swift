import Foundation
import MediaCore
import RTMP
import Recorder
import TestSupport
import XCTest

/// Who may publish, checked with programs nobody here wrote: ffmpeg and GStreamer publishing
/// over RTMP with a right key, a wrong key and none; OBS's stream-key form; an auth callback
/// served by a small HTTP server that allows, refuses, renames, never answers or is not
/// there; address rules for RTMP and MPEG-TS; the ban after repeated failures. A refused
/// publisher records nothing and leaves the name free for the right one.
final class PublishAuthorizationIngestTests: XCTestCase {
    static let source = "mp4/h264_aac.mp4"

    /// The key of a record config: ffmpeg without it and with a wrong one exits non-zero and
    /// records nothing; with it (`rtmp://host/live/name?key=...`) the recording decodes to
    /// the source's frames. The key never reaches the log.
    func testFFmpegNeedsTheRecordConfigsKey() throws {
        try FFmpegCheck.require()
        let harness = try IngestHarness()
        defer { harness.stop() }
        let name = "keyed"
        let paths = try harness.record(name, types: [.mp4], publishKey: "Corr3ctHorse")

        let none = try harness.ffmpegPublish(Self.source, name: name)
        XCTAssertNotEqual(none.status, 0, "ffmpeg without the key reports the refusal")
        let wrong = try harness.ffmpegPublish(Self.source, name: name, url: harness.url(name) + "?key=Wr0ngGuess")
        XCTAssertNotEqual(wrong.status, 0, "ffmpeg with a wrong key reports the refusal")
        XCTAssertFalse(harness.isLive(name))
        XCTAssertEqual(harness.filesWritten(name), [], "nothing recorded for refused publishers")
        XCTAssertFalse(FileSystem.exists(paths[0]))
        XCTAssertTrue(wrong.stderr.contains("Unauthorized") || wrong.stderr.contains("wrong publish key"), wrong.stderr)

        let right = try harness.ffmpegPublish(Self.source, name: name, url: harness.url(name) + "?key=Corr3ctHorse")
        XCTAssertEqual(right.status, 0, right.stderr)
        harness.waitUntilEnded(name)
        XCTAssertEqual(harness.filesWritten(name), paths)
        try assertSameFrames(paths[0], as: TestPaths.fixture(Self.source))

        let refusals = harness.log.all.filter { $0.contains(#""event":"publishRefused""#) }
        XCTAssertEqual(refusals.count, 2, "\(refusals)")
        XCTAssertTrue(refusals[0].contains(#""reason":"keyMissing""#) && refusals[0].contains(#""protocol":"rtmp""#), refusals[0])
        XCTAssertTrue(refusals[1].contains(#""reason":"keyWrong""#) && refusals[1].contains(#""address":"127.0.0.1:"#), refusals[1])
        XCTAssertEqual(harness.engine.publishing.refusalCounts[.keyMissing], 1)
        XCTAssertEqual(harness.engine.publishing.refusalCounts[.keyWrong], 1)
        let leaks = harness.log.all.filter { $0.contains("Corr3ctHorse") || $0.contains("Wr0ngGuess") }
        XCTAssertEqual(leaks, [], "keys are never logged")
    }

    /// --publish-key for every name, given on the app as nginx-rtmp users write it
    /// (`rtmp://host/live?key=.../name`, which ffmpeg sends in connect's app and tcUrl).
    func testGlobalKeyOnTheAppOfTheURL() throws {
        try FFmpegCheck.require()
        var policy = PublishPolicy()
        policy.globalKey = "AppK3y"
        let harness = try IngestHarness(publishPolicy: policy)
        defer { harness.stop() }
        let paths = try harness.record("onapp", types: [.flv])
        let refused = try harness.ffmpegPublish(Self.source, name: "onapp", url: "rtmp://127.0.0.1:\(harness.port)/live?key=nope/onapp")
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertEqual(harness.filesWritten("onapp"), [])
        let out = try harness.ffmpegPublish(Self.source, name: "onapp", url: "rtmp://127.0.0.1:\(harness.port)/live?key=AppK3y/onapp")
        XCTAssertEqual(out.status, 0, out.stderr)
        harness.waitUntilEnded("onapp")
        try assertSameFrames(paths[0], as: TestPaths.fixture(Self.source))
        XCTAssertEqual(harness.log.all.filter { $0.contains("AppK3y") }, [], "keys are never logged")
        XCTAssertTrue(harness.log.all.contains { $0.contains("rtmpConnect") && $0.contains("key=***") }, "the tcUrl is logged redacted")
    }

    /// OBS: server `rtmp://host/live`, stream key `name?key=SECRET`, which becomes the publish
    /// name. Our publisher reads the exact answers (Unauthorized at level error, then the
    /// close); GStreamer's librtmp `rtmpsink` (librtmp is what OBS's RTMP output is a fork of)
    /// publishes the same form and is recorded.
    func testOBSStreamKeyForm() throws {
        try FFmpegCheck.require()
        var policy = PublishPolicy()
        policy.globalKey = "0bsKey"
        let harness = try IngestHarness(publishPolicy: policy)
        defer { harness.stop() }

        let wrong = try TestPublisher(port: harness.port)
        let refusal = try wrong.publish("obs?key=guess")
        XCTAssertEqual(refusal.arguments.first?["code"]?.string, "NetStream.Publish.Unauthorized")
        XCTAssertEqual(refusal.arguments.first?["level"]?.string, "error")
        XCTAssertTrue(TestPublisher.waitForClose(wrong.socket, timeout: .seconds(5)), "the refused connection is closed")
        wrong.close()

        let right = try TestPublisher(port: harness.port)
        let accepted = try right.publish("obs?key=0bsKey")
        XCTAssertEqual(accepted.arguments.first?["code"]?.string, "NetStream.Publish.Start")
        XCTAssertTrue(harness.isLive("obs"), "published under the name before the query")
        try right.unpublish("obs?key=0bsKey")
        right.close()
        harness.waitUntilEnded("obs")

        try GStreamer.require(elements: ["rtmpsink", "flvdemux", "flvmux", "h264parse", "aacparse"])
        let paths = try harness.record("obs2", types: [.mp4])
        let source = TestPaths.fixture("flv/h264_aac.flv")
        let url = "rtmp://127.0.0.1:\(harness.port)/live/obs2?key=0bsKey live=1"
        let out = try GStreamer.launch(GStreamer.publishPipeline(source: source, sink: ["rtmpsink", "location=\(url)"],
                                                                 video: true, audio: true, realtime: false))
        XCTAssertEqual(out.status, 0, "gst-launch-1.0: \(out.stdout)\(out.stderr)")
        harness.waitUntilEnded("obs2")
        try assertSameFrames(paths[0], as: source)
    }

    /// GStreamer's rtmp2sink with the key in its location: refused with a wrong key (the
    /// pipeline fails), recorded with the right one.
    func testRtmp2sinkWithTheKeyInTheLocation() throws {
        try FFmpegCheck.require()
        try GStreamer.require(elements: ["rtmp2sink", "flvdemux", "flvmux", "h264parse", "aacparse"])
        let harness = try IngestHarness()
        defer { harness.stop() }
        let name = "gstkey"
        let paths = try harness.record(name, types: [.mp4], publishKey: "Gst-K3y")
        let source = TestPaths.fixture("flv/h264_aac.flv")
        func publish(_ key: String) throws -> ExternalTool.Output {
            try GStreamer.launch(GStreamer.publishPipeline(source: source, sink: ["rtmp2sink", "location=\(harness.url(name))?key=\(key)"],
                                                           video: true, audio: true, realtime: false))
        }
        let refused = try publish("nope")
        XCTAssertNotEqual(refused.status, 0, "gst-launch-1.0 fails when refused: \(refused.stdout)\(refused.stderr)")
        XCTAssertEqual(harness.filesWritten(name), [])
        let out = try publish("Gst-K3y")
        XCTAssertEqual(out.status, 0, "gst-launch-1.0: \(out.stdout)\(out.stderr)")
        harness.waitUntilEnded(name)
        try assertSameFrames(paths[0], as: source)
    }

    /// --publish-auth-url: the callback gets nginx-rtmp's form; its 2xx allows, its 3xx with
    /// a Location renames (the recording is under the new name), a 403 refuses, and a callback
    /// that never answers or is not there refuses too (fail closed), each in about the timeout.
    func testAuthCallbackAllowsRefusesRenamesAndFailsClosed() throws {
        try FFmpegCheck.require()
        let server = try LoopbackHTTPServer { request in
            switch request.form["name"] {
            case "allowed": return .init(status: 204)
            case "rename": return .init(status: 302, fields: [("Location", "/live/renamed?x=1")])
            case "silent": return nil
            default: return .init(status: 403)
            }
        }
        defer { server.stop() }
        var policy = PublishPolicy()
        policy.callback = PublishCallback(url: try HTTPURL(parsing: server.url), timeout: .seconds(1))
        let harness = try IngestHarness(publishPolicy: policy)
        defer { harness.stop() }

        let allowedPaths = try harness.record("allowed", types: [.mp4])
        let out = try harness.ffmpegPublish(Self.source, name: "allowed", url: harness.url("allowed") + "?key=cb1&tag=x")
        XCTAssertEqual(out.status, 0, out.stderr)
        harness.waitUntilEnded("allowed")
        try assertSameFrames(allowedPaths[0], as: TestPaths.fixture(Self.source))
        let asked = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(asked.method, "POST")
        XCTAssertEqual(asked.target, "/auth")
        XCTAssertEqual(asked.fields["content-type"], "application/x-www-form-urlencoded")
        XCTAssertEqual(asked.form["call"], "publish")
        XCTAssertEqual(asked.form["protocol"], "rtmp")
        XCTAssertEqual(asked.form["app"], "live")
        XCTAssertEqual(asked.form["name"], "allowed")
        XCTAssertEqual(asked.form["addr"], "127.0.0.1")
        XCTAssertEqual(asked.form["key"], "cb1")
        XCTAssertEqual(asked.form["tag"], "x")
        XCTAssertEqual(asked.form["tcurl"], "rtmp://127.0.0.1:\(harness.port)/live")

        let renamedPaths = try harness.record("renamed", types: [.mp4])
        let renamed = try harness.ffmpegPublish(Self.source, name: "rename")
        XCTAssertEqual(renamed.status, 0, renamed.stderr)
        harness.waitUntilEnded("renamed")
        try assertSameFrames(renamedPaths[0], as: TestPaths.fixture(Self.source))
        XCTAssertTrue(harness.log.all.contains { $0.contains(#""event":"rtmpPublish""#) && $0.contains(#""stream":"renamed""#) && $0.contains(#""requested":"rename""#) })

        let refused = try harness.ffmpegPublish(Self.source, name: "stranger")
        XCTAssertNotEqual(refused.status, 0)

        let started = Date()
        let silent = try harness.ffmpegPublish(Self.source, name: "silent")
        XCTAssertNotEqual(silent.status, 0, "a callback that does not answer refuses")
        XCTAssertLessThan(Date().timeIntervalSince(started), 8, "refused after the callback's timeout, not later")

        server.stop()
        let gone = try StreamSocket.listen(host: "127.0.0.1", port: 0)
        let deadPort = try gone.localPort()
        gone.close()
        var deadPolicy = PublishPolicy()
        deadPolicy.callback = PublishCallback(url: try HTTPURL(parsing: "http://127.0.0.1:\(deadPort)/auth"), timeout: .seconds(1))
        let unreachable = try IngestHarness(publishPolicy: deadPolicy)
        defer { unreachable.stop() }
        try unreachable.record("nobody", types: [.mp4])
        let dead = try unreachable.ffmpegPublish(Self.source, name: "nobody")
        XCTAssertNotEqual(dead.status, 0, "an unreachable callback refuses")
        XCTAssertEqual(unreachable.filesWritten("nobody"), [])

        let reasons = (harness.log.all + unreachable.log.all).filter { $0.contains(#""event":"publishRefused""#) }
        XCTAssertTrue(reasons.contains { $0.contains(#""name":"stranger""#) && $0.contains(#""reason":"callbackRefused""#) }, "\(reasons)")
        XCTAssertTrue(reasons.contains { $0.contains(#""name":"silent""#) && $0.contains(#""reason":"callbackFailed""#) && $0.contains("fail closed") }, "\(reasons)")
        XCTAssertTrue(reasons.contains { $0.contains(#""name":"nobody""#) && $0.contains(#""reason":"callbackFailed""#) && $0.contains("cannot connect") }, "\(reasons)")
        XCTAssertEqual(harness.filesWritten("stranger") + harness.filesWritten("silent"), [])
    }

    /// --deny-publish 127.0.0.0/8 refuses ffmpeg over RTMP; --allow-publish 127.0.0.1/32 lets
    /// it record.
    func testAddressRulesForRTMP() throws {
        try FFmpegCheck.require()
        var denied = PublishPolicy()
        denied.addressRules.deny = [try AddressBlock(parsing: "127.0.0.0/8")]
        let deny = try IngestHarness(publishPolicy: denied)
        defer { deny.stop() }
        try deny.record("cidr", types: [.mp4])
        let refused = try deny.ffmpegPublish(Self.source, name: "cidr")
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertEqual(deny.filesWritten("cidr"), [])
        XCTAssertTrue(deny.log.all.contains { $0.contains(#""reason":"addressDenied""#) && $0.contains("127.0.0.0/8") }, "\(deny.log.all)")

        var allowed = PublishPolicy()
        allowed.addressRules.allow = [try AddressBlock(parsing: "127.0.0.1/32")]
        let allow = try IngestHarness(publishPolicy: allowed)
        defer { allow.stop() }
        let paths = try allow.record("cidr", types: [.mp4])
        let out = try allow.ffmpegPublish(Self.source, name: "cidr")
        XCTAssertEqual(out.status, 0, out.stderr)
        allow.waitUntilEnded("cidr")
        try assertSameFrames(paths[0], as: TestPaths.fixture(Self.source))
    }

    /// MPEG-TS listeners are checked by the sender's address: a denied TCP sender's connection
    /// is closed and a denied UDP sender's datagrams are dropped (announced once); an allowed
    /// sender records.
    func testAddressRulesForMPEGTSListeners() throws {
        try FFmpegCheck.require()
        let ts = TestPaths.fixture("ts/h264_aac.ts")
        var denied = PublishPolicy()
        denied.addressRules.deny = [try AddressBlock(parsing: "127.0.0.0/8")]
        let deny = try IngestHarness(publishPolicy: denied)
        defer { deny.stop() }
        for name in ["tcpts", "udpts"] {
            try deny.record(name, types: [.ts])
            _ = try deny.engine.pullStream(uri: (name == "tcpts" ? "tcp" : "udp") + "://127.0.0.1:0", localStreamName: name)
        }
        let tcpPort = try XCTUnwrap(deny.engine.listenerPort("tcpts"))
        let udpPort = try XCTUnwrap(deny.engine.listenerPort("udpts"))
        _ = try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-i", ts, "-c", "copy", "-f", "mpegts", "tcp://127.0.0.1:\(tcpPort)"])
        let udp = try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-i", ts, "-c", "copy", "-f", "mpegts",
                                                  "udp://127.0.0.1:\(udpPort)?pkt_size=1316"])
        XCTAssertEqual(udp.status, 0, udp.stderr)
        usleep(500_000)
        XCTAssertFalse(deny.isLive("tcpts") || deny.isLive("udpts"), "denied senders make no stream")
        XCTAssertEqual(deny.filesWritten("tcpts") + deny.filesWritten("udpts"), [])
        let refusals = deny.log.all.filter { $0.contains(#""event":"publishRefused""#) }
        XCTAssertEqual(refusals.filter { $0.contains(#""protocol":"tcp-ts""#) }.count, 1, "\(refusals)")
        XCTAssertEqual(refusals.filter { $0.contains(#""protocol":"udp-ts""#) }.count, 1, "a UDP sender's refusal is announced once: \(refusals)")
        XCTAssertEqual(deny.engine.publishing.refusalCountsByProtocol[.udpTS]?[.addressDenied], 1)
        XCTAssertEqual(deny.engine.publishing.refusalCountsByProtocol[.tcpTS]?[.addressDenied], 1)

        var allowed = PublishPolicy()
        allowed.addressRules.allow = [try AddressBlock(parsing: "127.0.0.1/32")]
        let allow = try IngestHarness(publishPolicy: allowed)
        defer { allow.stop() }
        let paths = try allow.record("tcpts", types: [.ts])
        _ = try allow.engine.pullStream(uri: "tcp://127.0.0.1:0", localStreamName: "tcpts")
        let port = try XCTUnwrap(allow.engine.listenerPort("tcpts"))
        let out = try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-i", ts, "-c", "copy", "-f", "mpegts", "tcp://127.0.0.1:\(port)"])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(allow.waitUntilLive("tcpts") || !allow.filesWritten("tcpts").isEmpty)
        allow.waitUntilEnded("tcpts")
        XCTAssertEqual(allow.filesWritten("tcpts"), paths)
        XCTAssertEqual(try decodedHashes(paths[0], "v"), try decodedHashes(ts, "v"), "the recording decodes to the source's video frames")
    }

    /// Five wrong keys in a minute ban the address: the right key is refused too until the ban
    /// ends, then ffmpeg with it records.
    func testRepeatedFailuresAreBannedForAWhile() throws {
        try FFmpegCheck.require()
        var policy = PublishPolicy()
        policy.globalKey = "B4nKey"
        policy.ban.duration = .seconds(2)
        let harness = try IngestHarness(publishPolicy: policy)
        defer { harness.stop() }
        for attempt in 0..<5 {
            let guesser = try TestPublisher(port: harness.port)
            let answer = try guesser.publish("ban?key=guess\(attempt)")
            XCTAssertEqual(answer.arguments.first?["code"]?.string, "NetStream.Publish.Unauthorized")
            guesser.close()
        }
        let banned = try harness.ffmpegPublish(Self.source, name: "ban", url: harness.url("ban") + "?key=B4nKey")
        XCTAssertNotEqual(banned.status, 0, "the right key is refused during the ban")
        XCTAssertTrue(harness.log.all.contains { $0.contains(#""reason":"addressBanned""#) }, "\(harness.log.all)")
        XCTAssertEqual(harness.engine.publishing.refusalCounts[.keyWrong], 5)
        sleep(2)
        let paths = try harness.record("ban", types: [.mp4])
        let out = try harness.ffmpegPublish(Self.source, name: "ban", url: harness.url("ban") + "?key=B4nKey")
        XCTAssertEqual(out.status, 0, out.stderr)
        harness.waitUntilEnded("ban")
        try assertSameFrames(paths[0], as: TestPaths.fixture(Self.source))
    }

    /// `recorder serve` says at start whether publishing is open, --publish-key closes it,
    /// and /metrics counts the refusal.
    func testServerStartupLineAndPublishKeyFlag() throws {
        try FFmpegCheck.require()
        let open = try RecorderProcess(directory: TestPaths.temporaryDirectory("auth-open"))
        XCTAssertTrue(open.log_().contains("publishing is open to anyone who can reach the ingest ports"), open.log_())
        open.stop()

        let directory = TestPaths.temporaryDirectory("auth-key")
        let closed = try RecorderProcess(directory: directory, extraArguments: ["--publish-key", "Fl4gKey"])
        defer { closed.stop() }
        XCTAssertTrue(closed.log_().contains("a publish key is required"), closed.log_())
        let url = "rtmp://127.0.0.1:\(closed.rtmpPort)/live/srv"
        let refused = try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-i", TestPaths.fixture(Self.source), "-c", "copy", "-f", "flv", url])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(closed.waitForLog(#""event":"publishRefused""#))
        let out = try ExternalTool.run("ffmpeg", ["-nostdin", "-v", "error", "-i", TestPaths.fixture(Self.source), "-c", "copy", "-f", "flv",
                                                  url + "?key=Fl4gKey"])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(closed.waitForLog(#""event":"rtmpPublish""#))
        XCTAssertFalse(closed.log_().contains("Fl4gKey"), "the key is never logged")
        let metrics = try LoopbackHTTP.get(port: closed.httpPort, target: "/metrics")
        XCTAssertEqual(metrics.status, 200)
        XCTAssertTrue(metrics.body.contains(#"recorder_publish_refusals_total{protocol="rtmp",reason="keyMissing"} 1"#), metrics.body)
        XCTAssertTrue(metrics.body.contains(#"recorder_publish_refusals_total{protocol="rtmp",reason="keyWrong"} 0"#), metrics.body)
    }
}
