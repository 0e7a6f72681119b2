import Foundation
import Recorder
import XCTest

final class ServerConfigurationTests: XCTestCase {
    func testDefaults() throws {
        guard case .run(let c) = try ServerConfiguration.parse(arguments: [], executablePath: "/opt/rec/bin/recorder") else { return XCTFail() }
        XCTAssertEqual(c.mediaDirectory, "./media")
        XCTAssertEqual(c.stateDirectory, "./state")
        XCTAssertEqual(c.httpHost, "127.0.0.1")
        XCTAssertEqual(c.httpPort, 7777)
        XCTAssertEqual(c.cliHost, "127.0.0.1")
        XCTAssertEqual(c.cliPort, 1112)
        XCTAssertEqual(c.rtmpHost, "0.0.0.0")
        XCTAssertEqual(c.rtmpPort, 1935)
        XCTAssertEqual(c.allowedRoots, [])
        XCTAssertEqual(c.mp4writerPath, "/opt/rec/bin/mp4writer")
        XCTAssertEqual(c.finalizePoolSize, 2)
        XCTAssertEqual(c.streamSilenceTimeout, .seconds(10))
        XCTAssertNil(c.configFile)
    }

    func testFileThenFlags() throws {
        let file = """
        # recorder settings
        media = /srv/media
        http-port=8080
          cli-port = 0
        allowed-root=/srv/archive

        silence-timeout=2.5
        """
        let arguments = ["--http-port", "9090", "--config", "/etc/recorder.conf", "--allowed-root=/mnt/usb", "--state", "/var/lib/rec"]
        let invocation = try ServerConfiguration.parse(arguments: arguments, executablePath: "recorder") { path in
            XCTAssertEqual(path, "/etc/recorder.conf")
            return file
        }
        guard case .run(let c) = invocation else { return XCTFail() }
        XCTAssertEqual(c.mediaDirectory, "/srv/media")
        XCTAssertEqual(c.httpPort, 9090, "flags win over the file, wherever --config stands")
        XCTAssertEqual(c.cliPort, 0)
        XCTAssertEqual(c.stateDirectory, "/var/lib/rec")
        XCTAssertEqual(c.allowedRoots, ["/srv/archive", "/mnt/usb"])
        XCTAssertEqual(c.streamSilenceTimeout, .milliseconds(2500))
        XCTAssertEqual(c.configFile, "/etc/recorder.conf")
        XCTAssertEqual(c.mp4writerPath, "./mp4writer")
        XCTAssertEqual(c.pathPolicy.allowedRoots, ["/srv/media", "/srv/archive", "/mnt/usb"])
        guard case .run(let d) = try ServerConfiguration.parse(arguments: ["--http-timeout", "3", "--cli-idle-timeout", "60"],
                                                               executablePath: "r") else { return XCTFail() }
        XCTAssertEqual(d.httpLimits.requestTimeout, .seconds(3))
        XCTAssertEqual(d.lineLimits.idleTimeout, .seconds(60))
    }

    func testHelpListsEveryOption() throws {
        guard case .help(let text) = try ServerConfiguration.parse(arguments: ["--media", "x", "--help"], executablePath: "r") else {
            return XCTFail()
        }
        for flag in ["--config FILE", "--media DIR", "--state DIR", "--http-host", "--http-port PORT", "--cli-port PORT",
                     "--rtmp-port", "--allowed-root", "--mp4writer", "--finalize-pool", "--silence-timeout", "--help"] {
            XCTAssertTrue(text.contains(flag), "\(flag) missing from help")
        }
    }

    func testErrorsNameTheSettingAndPlace() {
        let cases: [([String], String, String)] = [
            (["--http-port", "http"], "", "--http-port: invalid port 'http'"),
            (["--cli-port=70000"], "", "--cli-port: invalid port '70000'"),
            (["--nonsense", "1"], "", "unknown option --nonsense"),
            (["--media"], "", "--media needs a value"),
            (["media"], "", "unexpected argument 'media'"),
            (["--finalize-pool", "0"], "", "--finalize-pool: invalid value '0'"),
            (["--silence-timeout", "-1"], "", "invalid duration '-1'"),
            (["--config", "c.conf"], "# ok\nhttp-prot=1\n", "c.conf line 2: unknown key 'http-prot'"),
            (["--config", "c.conf"], "media\n", "c.conf line 1: expected key=value"),
            (["--config", "c.conf"], "rtmp-port=abc", "c.conf line 1: invalid port 'abc'"),
            (["--config", "a", "--config", "b"], "", "--config given more than once"),
        ]
        for (arguments, file, expected) in cases {
            XCTAssertThrowsError(try ServerConfiguration.parse(arguments: arguments, executablePath: "r", readFile: { _ in file }),
                                 "\(arguments)") { error in
                XCTAssertTrue("\(error)".contains(expected), "\(arguments): '\(error)' does not contain '\(expected)'")
            }
        }
        XCTAssertThrowsError(try ServerConfiguration.parse(arguments: ["--config", "/nonexistent/recorder.conf"], executablePath: "r")) {
            XCTAssertTrue("\($0)".contains("cannot read config file /nonexistent/recorder.conf"), "\($0)")
        }
    }
}
