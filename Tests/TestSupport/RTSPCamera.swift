import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The camera stand-in scripts/rtsp-camera.py (gst-rtsp-server through python3-gi) on a free
/// port, stopped with the test. Missing packages fail under CI=true and skip visibly elsewhere.
public final class RTSPCamera {
    public static let packages = "python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-rtsp gstreamer1.0-plugins-ugly gstreamer1.0-plugins-bad gstreamer1.0-libav"
    public let process = Process()
    public private(set) var port = 0
    private let output = Pipe()

    public init(arguments: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws {
        try Self.require(file: file, line: line)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [TestPaths.repositoryRoot.appendingPathComponent("scripts/rtsp-camera.py").path] + arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = String(decoding: output.fileHandleForReading.readLine(), as: UTF8.self)
        guard line.hasPrefix("ready "), let port = Int(line.dropFirst(6)) else {
            process.terminate()
            throw NSError(domain: "rtsp-camera.py did not start: '\(line)'", code: 1)
        }
        self.port = port
    }

    public func url(_ mount: String, user: String? = nil, password: String? = nil) -> String {
        let credentials = user.map { "\($0):\(password ?? "")@" } ?? ""
        return "rtsp://\(credentials)127.0.0.1:\(port)/\(mount)"
    }

    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }

    public static func require(file: StaticString = #filePath, line: UInt = #line) throws {
        let probe = try? ExternalTool.run("/usr/bin/python3", ["-c", "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer; gi.require_version('Gst', '1.0'); from gi.repository import Gst; Gst.init(None); import sys; sys.exit(0 if all(Gst.ElementFactory.find(e) for e in ['x264enc', 'x265enc', 'avenc_aac', 'rtpmp4gpay', 'rtpmp4apay', 'mulawenc']) else 3)"])
        guard probe?.status != 0 else { return }
        let message = "the RTSP camera stand-in needs gst-rtsp-server through python3-gi and encoders (apt-get install \(packages))"
        if ExternalTool.isCI {
            XCTFail(message, file: file, line: line)
            throw XCTSkip("failed: " + message)
        }
        print("SKIPPING interop check: " + message)
        throw XCTSkip(message)
    }
}

extension FileHandle {
    /// Bytes up to a newline (not included), or to the end.
    func readLine() -> [UInt8] {
        var line: [UInt8] = []
        while true {
            let byte = readData(ofLength: 1)
            guard let b = byte.first, b != 0x0A else { return line }
            line.append(b)
        }
    }
}
