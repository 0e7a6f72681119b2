import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MediaCore

/// nginx with the RTMP module, one process (`master_process off`), recording every stream
/// published to application `live` as FLV; `exec_record_done` marks each closed recording.
final class NginxProcess {
    let process: SpawnedProcess
    let directory: String
    let rtmpPort: Int
    static let executable = "/usr/sbin/nginx"
    static let rtmpModule = "/usr/lib/nginx/modules/ngx_rtmp_module.so"

    /// `connections`: nginx's worker_connections (the listening socket counts as one).
    init(directory: String, connections: Int = 64) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory + "/rec", withIntermediateDirectories: true)
        rtmpPort = try FreePort.pick()
        let config = """
            load_module \(Self.rtmpModule);
            daemon off;
            master_process off;
            worker_processes 1;
            error_log \(directory)/error.log notice;
            pid \(directory)/nginx.pid;
            events { worker_connections \(connections); }
            rtmp {
                server {
                    listen 127.0.0.1:\(rtmpPort);
                    application live {
                        live on;
                        record all;
                        record_path \(directory)/rec;
                        exec_record_done /usr/bin/touch \(directory)/rec/$basename.done;
                    }
                }
            }

            """
        try config.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        process = try SpawnedProcess(Self.executable, ["-p", directory, "-c", directory + "/nginx.conf", "-e", directory + "/error.log"],
                                     log: directory + "/stdout.log")
        try process.waitUntilReady("nginx", log: log) { () -> Void? in
            guard let socket = try? StreamSocket.connect(host: "127.0.0.1", port: rtmpPort) else { return nil }
            socket.close()
            return ()
        }
    }

    func url(_ name: String) -> String { "rtmp://127.0.0.1:\(rtmpPort)/live/\(name)" }
    func recordingPath(_ name: String) -> String { directory + "/rec/\(name).flv" }
    func recordingDone(_ name: String) -> Bool { FileManager.default.fileExists(atPath: directory + "/rec/\(name).done") }

    func log() -> String { (try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)) ?? "" }

    func stop() { process.stop(signal: SIGQUIT) }
}
