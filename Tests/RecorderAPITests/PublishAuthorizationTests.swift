import Foundation
import MediaCore
@testable import Recorder
import TestSupport
import XCTest

/// The publish rules without an ingest: address blocks, keys, redaction, the callback's form
/// and answers, the ban, and the flags that set them.
final class PublishAuthorizationTests: XCTestCase {
    func testAddressBlocksMatchIPv4IPv6AndMappedAddresses() throws {
        let loopback = try AddressBlock(parsing: "127.0.0.0/8")
        XCTAssertTrue(loopback.contains(host: "127.0.0.1"))
        XCTAssertTrue(loopback.contains(host: "127.255.1.2"))
        XCTAssertFalse(loopback.contains(host: "128.0.0.1"))
        XCTAssertTrue(loopback.contains(host: "::ffff:127.0.0.1"), "an IPv4-mapped client matches the IPv4 block")
        XCTAssertFalse(loopback.contains(host: "::1"))
        let one = try AddressBlock(parsing: "192.0.2.7")
        XCTAssertEqual(one.prefixLength, 32)
        XCTAssertTrue(one.contains(host: "192.0.2.7"))
        XCTAssertFalse(one.contains(host: "192.0.2.8"))
        let v6 = try AddressBlock(parsing: "2001:db8::/32")
        XCTAssertTrue(v6.contains(host: "2001:db8:ffff::1"))
        XCTAssertFalse(v6.contains(host: "2001:db9::1"))
        XCTAssertFalse(v6.contains(host: "10.0.0.1"))
        XCTAssertTrue(try AddressBlock(parsing: "10.1.2.3/12").contains(host: "10.15.0.0"), "host bits of the block are ignored")
        XCTAssertTrue(try AddressBlock(parsing: "0.0.0.0/0").contains(host: "203.0.113.9"))
        XCTAssertTrue(try AddressBlock(parsing: "::/0").contains(host: "fe80::1"))
        for bad in ["", "10.0.0.0/33", "2001:db8::/129", "example.com", "10.0.0/8", "10.0.0.0/x"] {
            XCTAssertThrowsError(try AddressBlock(parsing: bad), bad)
        }
    }

    func testTheMostSpecificAddressRuleDecides() throws {
        let open = AddressRules()
        XCTAssertNil(open.refusal(forHost: "198.51.100.1"))
        let denyLoopback = AddressRules(deny: [try AddressBlock(parsing: "127.0.0.0/8")])
        XCTAssertNotNil(denyLoopback.refusal(forHost: "127.0.0.1"))
        XCTAssertNil(denyLoopback.refusal(forHost: "10.0.0.1"), "only the denied block is refused")
        let allowOne = AddressRules(allow: [try AddressBlock(parsing: "127.0.0.1/32")])
        XCTAssertNil(allowOne.refusal(forHost: "127.0.0.1"))
        XCTAssertNotNil(allowOne.refusal(forHost: "127.0.0.2"), "an allow list names who may publish")
        let carveOut = AddressRules(allow: [try AddressBlock(parsing: "10.1.0.0/16")], deny: [try AddressBlock(parsing: "0.0.0.0/0")])
        XCTAssertNil(carveOut.refusal(forHost: "10.1.9.9"))
        XCTAssertNotNil(carveOut.refusal(forHost: "10.2.0.1"))
        let hole = AddressRules(allow: [try AddressBlock(parsing: "10.0.0.0/8")], deny: [try AddressBlock(parsing: "10.6.6.6")])
        XCTAssertNotNil(hole.refusal(forHost: "10.6.6.6"))
        XCTAssertNil(hole.refusal(forHost: "10.6.6.7"))
        let tie = AddressRules(allow: [try AddressBlock(parsing: "10.0.0.0/8")], deny: [try AddressBlock(parsing: "10.0.0.0/8")])
        XCTAssertNotNil(tie.refusal(forHost: "10.0.0.1"), "a deny wins a tie")
        XCTAssertNotNil(denyLoopback.refusal(forHost: nil), "an unknown address is refused when rules are set")
    }

    func testKeysCompareExactlyAndAreRedactedFromLogLines() {
        XCTAssertTrue(PublishSecrets.constantTimeEquals("s3cret", "s3cret"))
        XCTAssertFalse(PublishSecrets.constantTimeEquals("s3cret", "s3cre"))
        XCTAssertFalse(PublishSecrets.constantTimeEquals("s3cret", "s3cret!"))
        XCTAssertFalse(PublishSecrets.constantTimeEquals("S3cret", "s3cret"))
        XCTAssertFalse(PublishSecrets.constantTimeEquals("", "x"))
        XCTAssertTrue(PublishSecrets.constantTimeEquals("", ""))
        XCTAssertEqual(PublishSecrets.redacted("cam1?key=s3cret"), "cam1?key=***")
        XCTAssertEqual(PublishSecrets.redacted("rtmp://h:1935/live?key=abc&x=1"), "rtmp://h:1935/live?key=***&x=1")
        XCTAssertEqual(PublishSecrets.redacted(#"{"tcUrl":"rtmp://h/live?token=t0k&KEY=k2","app":"live"}"#),
                       #"{"tcUrl":"rtmp://h/live?token=***&KEY=***","app":"live"}"#)
        XCTAssertEqual(PublishSecrets.redacted("rtsp://cam:pa55@host:5544/live/cam1"), "rtsp://cam:***@host:5544/live/cam1")
        XCTAssertEqual(PublishSecrets.redacted("monkey=1&keys=2"), "monkey=1&keys=2", "only whole argument names")
    }

    func testEventLogLinesAreRedacted() {
        let lines = LockedLines()
        let events = EventPublisher(log: { lines.append($0) })
        events.publish("pullStream", ["uri": .string("rtsp://cam:p4ss@192.0.2.1/live?token=t0k"), "stream": .string("cam")])
        XCTAssertEqual(lines.all.count, 1)
        XCTAssertFalse(lines.all[0].contains("p4ss") || lines.all[0].contains("t0k"), lines.all[0])
        XCTAssertTrue(lines.all[0].contains("rtsp://cam:***@192.0.2.1/live?token=***"), lines.all[0])
    }

    func testRequestQueriesAndPresentedKey() {
        let split = PublishRequest.splitQuery("cam1?a=1&key=s%2Fx+y&flag")
        XCTAssertEqual(split.path, "cam1")
        XCTAssertEqual(split.query, [.init(name: "a", value: "1"), .init(name: "key", value: "s/x+y"), .init(name: "flag", value: "")])
        var request = PublishRequest(ingestProtocol: .rtmp, app: "live", name: "cam1", clientAddress: "[::1]:5000",
                                     query: [.init(name: "key", value: "first"), .init(name: "key", value: "second")])
        XCTAssertEqual(request.presentedKey, "second", "the publish name's key comes last and wins")
        XCTAssertEqual(request.clientHost, "::1")
        request.query = []
        request.credentials = PublishCredentials(user: "cam", password: "pw")
        XCTAssertEqual(request.presentedKey, "pw", "RTSP presents its password")
        XCTAssertEqual(PublishRequest(ingestProtocol: .udpTS, app: "", name: "t", clientAddress: "10.0.0.1:1234").clientHost, "10.0.0.1")
    }

    func testCallbackFormAndAnswers() throws {
        let request = PublishRequest(ingestProtocol: .rtmp, app: "live", name: "cam1", clientAddress: "192.0.2.7:40000",
                                     query: [.init(name: "key", value: "a b&c"), .init(name: "name", value: "spoof")], tcUrl: "rtmp://host/live?key=a")
        XCTAssertEqual(PublishCallback.formBody(PublishCallback.formFields(for: request)),
                       "call=publish&protocol=rtmp&addr=192.0.2.7&app=live&name=cam1&type=live&tcurl=rtmp%3A%2F%2Fhost%2Flive&key=a%20b%26c",
                       "nginx-rtmp's fields, query arguments after them; an argument cannot replace a field")
        XCTAssertEqual(PublishCallback.decision(status: 200, location: nil, for: request), .allow(name: "cam1"))
        XCTAssertEqual(PublishCallback.decision(status: 204, location: nil, for: request), .allow(name: "cam1"))
        for location in ["cam7", "/live/cam7", "rtmp://host/live/cam7?x=1"] {
            XCTAssertEqual(PublishCallback.decision(status: 302, location: location, for: request), .allow(name: "cam7"), location)
        }
        for status in [302, 301] {
            guard case .refuse(let r) = PublishCallback.decision(status: status, location: nil, for: request) else { return XCTFail("\(status)") }
            XCTAssertEqual(r.reason, .callbackFailed)
        }
        for status in [400, 401, 403, 404, 500, 503, 100] {
            guard case .refuse(let r) = PublishCallback.decision(status: status, location: nil, for: request) else { return XCTFail("\(status)") }
            XCTAssertEqual(r.reason, .callbackRefused, "\(status)")
        }
        XCTAssertEqual(try HTTPURL(parsing: "http://127.0.0.1:8080/on_publish?x=1").target, "/on_publish?x=1")
        XCTAssertEqual(try HTTPURL(parsing: "http://[::1]:81").host, "::1")
        XCTAssertEqual(try HTTPURL(parsing: "http://auth.example").port, 80)
        for bad in ["https://a/b", "ftp://a", "http://", "http://a:0/", "http://u:p@a/", "http://a:99999/"] {
            XCTAssertThrowsError(try HTTPURL(parsing: bad), bad)
        }
    }

    /// The callback client reads the status line and Location of any HTTP/1.x answer, waits
    /// for a head split over reads, and calls anything else not an answer.
    func testCallbackAnswerHeads() throws {
        XCTAssertNil(try HTTPPostClient.parseHead(Array("HTTP/1.1 302 Found\r\nLocation: /live/x".utf8)), "incomplete head")
        XCTAssertEqual(try HTTPPostClient.parseHead(Array("HTTP/1.1 302 Found\r\nlocation:  /live/x \r\nServer: y\r\n\r\nbody".utf8)),
                       .init(status: 302, location: "/live/x"))
        XCTAssertEqual(try HTTPPostClient.parseHead(Array("HTTP/1.0 200\n\n".utf8)), .init(status: 200, location: nil))
        for garbage in ["SSH-2.0-OpenSSH_9.2\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "\r\n\r\n", "HTTP/2 200\r\n\r\n"] {
            XCTAssertThrowsError(try HTTPPostClient.parseHead(Array(garbage.utf8)), garbage)
        }
    }

    func testConfigKeysOverrideTheGlobalKeyAndTSIgnoresKeys() {
        var policy = PublishPolicy()
        policy.globalKey = "global"
        let authorizer = PublishAuthorizer(policy: policy)
        func decide(_ key: String?, keys: [String] = [], as proto: PublishProtocol = .rtmp, host: String = "10.0.0.1") -> PublishDecision {
            authorizer.authorize(PublishRequest(ingestProtocol: proto, app: "live", name: "cam1", clientAddress: "\(host):1",
                                                query: key.map { [.init(name: "key", value: $0)] } ?? []), keys: keys)
        }
        XCTAssertEqual(decide("global"), .allow(name: "cam1"))
        XCTAssertEqual(reason(decide("nope")), .keyWrong)
        XCTAssertEqual(reason(decide(nil, host: "10.0.0.2")), .keyMissing)
        XCTAssertEqual(reason(decide("", host: "10.0.0.2")), .keyMissing)
        XCTAssertEqual(decide("mine", keys: ["mine", "other"], host: "10.0.0.3"), .allow(name: "cam1"))
        XCTAssertEqual(decide("other", keys: ["mine", "other"], host: "10.0.0.3"), .allow(name: "cam1"))
        XCTAssertEqual(reason(decide("global", keys: ["mine"], host: "10.0.0.3")), .keyWrong, "a config's key replaces the global one for its name")
        XCTAssertEqual(decide(nil, as: .udpTS, host: "10.0.0.4"), .allow(name: "cam1"), "a TS sender is checked by address only")
        XCTAssertEqual(authorizer.refusalCounts[.keyWrong], 2)
        XCTAssertEqual(authorizer.refusalCounts[.keyMissing], 2)
        XCTAssertEqual(authorizer.totalRefusals, 4)

        let open = PublishAuthorizer(policy: PublishPolicy())
        XCTAssertEqual(open.authorize(PublishRequest(ingestProtocol: .rtmp, app: "", name: "x", clientAddress: nil), keys: []), .allow(name: "x"))
        XCTAssertEqual(reason(open.authorize(PublishRequest(ingestProtocol: .rtmp, app: "", name: "x", clientAddress: nil), keys: ["k"])), .keyMissing,
                       "a record config's key applies with no global rule")
        XCTAssertEqual(reason(open.authorize(PublishRequest(ingestProtocol: .rtmp, app: "", name: "a/b", clientAddress: nil), keys: [])), .nameInvalid)
    }

    func testRepeatedFailuresBanTheAddressForAWhile() {
        let clock = ManualClock()
        var policy = PublishPolicy()
        policy.globalKey = "right"
        let authorizer = PublishAuthorizer(policy: policy, now: { clock.now })
        func attempt(_ key: String, host: String = "198.51.100.9") -> PublishDecision {
            authorizer.authorize(PublishRequest(ingestProtocol: .rtmp, app: "live", name: "cam", clientAddress: "\(host):5",
                                                query: [.init(name: "key", value: key)]), keys: [])
        }
        for _ in 0..<4 { XCTAssertEqual(reason(attempt("guess")), .keyWrong) }
        XCTAssertEqual(attempt("right"), .allow(name: "cam"), "four failures do not ban")
        XCTAssertEqual(reason(attempt("guess")), .keyWrong)
        XCTAssertEqual(reason(attempt("right")), .addressBanned, "the fifth failure in a minute bans the address")
        XCTAssertEqual(attempt("right", host: "198.51.100.10"), .allow(name: "cam"), "other addresses are not affected")
        clock.advance(.seconds(29))
        XCTAssertEqual(reason(attempt("right")), .addressBanned)
        clock.advance(.seconds(2))
        XCTAssertEqual(attempt("right"), .allow(name: "cam"), "the ban ends after 30 s")
        // Failures spread over more than the window do not add up.
        for _ in 0..<4 { XCTAssertEqual(reason(attempt("guess", host: "203.0.113.5")), .keyWrong) }
        clock.advance(.seconds(61))
        XCTAssertEqual(reason(attempt("guess", host: "203.0.113.5")), .keyWrong)
        XCTAssertEqual(attempt("right", host: "203.0.113.5"), .allow(name: "cam"))
    }

    func testPublishFlagsAndConfigFile() throws {
        let file = """
        publish-key = fromfile
        allow-publish = 10.0.0.0/8
        """
        guard case .run(let c) = try ServerConfiguration.parse(
            arguments: ["--config", "r.conf", "--publish-auth-timeout", "1.5", "--publish-auth-url", "http://127.0.0.1:9/auth",
                        "--deny-publish", "10.6.0.0/16", "--deny-publish", "2001:db8::/32", "--allow-publish=127.0.0.1"],
            executablePath: "/x/recorder", readFile: { _ in file }) else { return XCTFail("expected a configuration") }
        XCTAssertEqual(c.publishPolicy.globalKey, "fromfile")
        XCTAssertEqual(c.publishPolicy.callback?.url.port, 9)
        XCTAssertEqual(c.publishPolicy.callback?.timeout, .milliseconds(1500))
        XCTAssertEqual(c.publishPolicy.addressRules.allow.map(\.description), ["10.0.0.0/8", "127.0.0.1"])
        XCTAssertEqual(c.publishPolicy.addressRules.deny.map(\.description), ["10.6.0.0/16", "2001:db8::/32"])
        XCTAssertFalse(c.publishPolicy.summary.contains("fromfile"), "the start-up line never shows the key")
        XCTAssertTrue(c.publishPolicy.summary.contains("a publish key is required"), c.publishPolicy.summary)

        guard case .run(let plain) = try ServerConfiguration.parse(arguments: [], executablePath: "/x/recorder") else { return XCTFail() }
        XCTAssertTrue(plain.publishPolicy.summary.contains("publishing is open to anyone who can reach"), plain.publishPolicy.summary)

        for bad in [["--allow-publish", "10.0.0.0/40"], ["--publish-auth-url", "https://a/"], ["--publish-key", "a b"],
                    ["--publish-auth-timeout", "0"]] {
            XCTAssertThrowsError(try ServerConfiguration.parse(arguments: bad, executablePath: "/x/recorder"), "\(bad)")
        }
    }

    func testRecordTakesAPublishKeyAndNeverShowsIt() throws {
        let parameters = try RecordParameters(pairs: [("localStreamName", "cam"), ("pathToFile", "/m/cam"), ("publishKey", "k3y")])
        XCTAssertEqual(parameters.publishKey, "k3y")
        XCTAssertEqual(try RecordParameters(pairs: parameters.pairs), parameters, "pairs round trip")
        XCTAssertNil(try RecordParameters(pairs: [("localStreamName", "cam"), ("pathToFile", "/m/cam")]).publishKey)
        XCTAssertThrowsError(try RecordParameters(pairs: [("localStreamName", "cam"), ("pathToFile", "/m/cam"), ("publishKey", "a&b")])) {
            XCTAssertFalse("\($0)".contains("a&b"), "the error does not echo the key")
        }
        let snapshot = RecordConfigSnapshot(configId: 1, parameters: parameters, computedPathToFile: "/m/cam.mp4", mp4BinPath: "/x",
                                            hasAudio: false, state: "waiting")
        for data in [snapshot.recordAnswerData, snapshot.listConfigData] {
            XCTAssertFalse(JSONWriter.text(of: data).contains("k3y"), JSONWriter.text(of: data))
        }
        XCTAssertTrue(JSONWriter.text(of: snapshot.listConfigData).contains(#""publishKeySet":true"#))

        // The key survives a restart, in a file only the owner reads.
        let directory = TestPaths.temporaryDirectory("keystore")
        _ = try ConfigStore(directory: directory, log: { _ in }).add(parameters)
        XCTAssertEqual(try ConfigStore(directory: directory, log: { _ in }).entries.first?.parameters.publishKey, "k3y")
        let mode = try FileManager.default.attributesOfItem(atPath: directory + "/" + ConfigStore.fileName)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
    }

    private func reason(_ decision: PublishDecision) -> PublishRefusal.Reason? {
        if case .refuse(let refusal) = decision { return refusal.reason }
        return nil
    }
}

/// Log lines gathered from any thread.
final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

/// A clock the test moves by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var instant = ContinuousClock.now
    var now: ContinuousClock.Instant { lock.withLock { instant } }
    func advance(_ duration: Duration) { lock.withLock { instant += duration } }
}
