import MediaCore

/// A loopback TCP port free a moment ago, for a peer tool that cannot be told to pick one and
/// say which (nginx, ffmpeg as an RTSP server).
enum FreePort {
    static func pick() throws -> Int {
        let socket = try StreamSocket.listen(host: "127.0.0.1", port: 0)
        defer { socket.close() }
        return try socket.localPort()
    }
}
