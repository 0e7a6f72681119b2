import Containers
import Foundation
import MediaCore

/// A named inbound MPEG-TS stream on a UDP or TCP port (pullStream). The stream appears when
/// data arrives and ends after `silence` seconds without data (or when the TCP sender closes);
/// the listener then waits for the next sender.
///
/// A sender has only its address to show: the publish address rules (and a ban earned over
/// RTMP) decide, through `RecorderEngine.authorizePublish`. A refused TCP sender's connection
/// is closed at once; a refused UDP sender's datagrams are dropped, the decision taken at its
/// first datagram and announced (event, log) once.
final class TSListener: @unchecked Sendable {
    let input: StreamInput
    let name: String
    let silence: Double
    private weak var engine: RecorderEngine?
    private let stopped = NSLock()
    private var isStopped = false
    private var socket: Socket?
    private(set) var port: UInt16 = 0
    /// UDP senders decided so far, by host (only the serve thread touches it).
    private var udpDecisions: [String: Bool] = [:]
    /// Hosts remembered at most: past this the memory is cleared and senders decided again.
    static let maxRememberedSenders = 1024

    init(input: StreamInput, name: String, engine: RecorderEngine, silence: Double) {
        self.input = input
        self.name = name
        self.engine = engine
        self.silence = silence
    }

    var sourceName: String {
        switch input {
        case .udp: return "udp-ts"
        case .tcp: return "tcp-ts"
        case .file: return "file"
        }
    }

    /// Binds now (so errors reach the caller), then serves on a thread of its own.
    func start() throws {
        switch input {
        case let .udp(host, port): socket = try Socket.udp(host: host, port: port)
        case let .tcp(host, port): socket = try Socket.tcpListener(host: host, port: port)
        case .file: throw RecorderControlError("a file is not a listener")
        }
        port = try socket!.localPort()
        let thread = Thread { [self] in serve() }
        thread.name = "ts-\(name)"
        thread.start()
    }

    func stop() {
        stopped.withLock { isStopped = true }
    }

    private var shouldStop: Bool { stopped.withLock { isStopped } }

    private func serve() {
        guard let socket else { return }
        defer { socket.close() }
        while !shouldStop {
            if case .tcp = input {
                guard (try? socket.waitReadable(timeout: 0.2)) == true, let connection = try? socket.accept() else { continue }
                guard isAllowed(connection.peerAddress()) else {
                    connection.close()
                    continue
                }
                receive(from: connection, client: "tcp")
                connection.close()
            } else {
                receive(from: socket, client: "udp")
            }
        }
    }

    /// One appearance of the stream: from the first MPEG-TS content to silence or the sender's
    /// close. Bytes that hold no TS (a port scanner, an HTTP request sent to the wrong port) do
    /// not make the stream appear.
    private func receive(from socket: Socket, client: String) {
        var reader = TSReader()
        var buffer = [UInt8](repeating: 0, count: StreamInput.readSize)
        var live = false
        var refused = false
        var lastData = Date()
        func drain() {
            while !refused {
                let event: DemuxEvent?
                do {
                    event = try reader.next()
                } catch {
                    // A broken PES or section is dropped by the reader; go on with the rest.
                    continue
                }
                guard let event else { return }
                if !live {
                    guard (try? engine?.streamStarted(name, source: sourceName, clientAddress: nil)) != nil else {
                        refused = true  // the name is live from another sender
                        return
                    }
                    live = true
                }
                engine?.streamEvent(name, event)
            }
        }
        while !shouldStop && !refused {
            let readable = (try? socket.waitReadable(timeout: 0.2)) ?? false
            if !readable {
                if Date().timeIntervalSince(lastData) >= silence && (live || client == "tcp") { break }
                continue
            }
            let n: Int
            if client == "udp" {
                var sender: String?
                guard let count = try? socket.receive(into: &buffer, sender: &sender) else { break }
                guard isAllowedUDPSender(sender) else { continue }
                n = count
            } else {
                guard let count = try? socket.receive(into: &buffer) else { break }
                n = count
            }
            guard n > 0 else { break }
            lastData = Date()
            reader.push(buffer[0..<n])
            drain()
        }
        guard live else { return }
        // The last access unit is complete only now that no more bytes come.
        reader.finish()
        drain()
        engine?.streamEnded(name)
    }

    private func publishRequest(from address: String?) -> PublishRequest {
        PublishRequest(ingestProtocol: sourceName == "udp-ts" ? .udpTS : .tcpTS, app: "", name: name, clientAddress: address)
    }

    /// Whether the sender at `address` may feed the stream (refusals are announced by the engine).
    private func isAllowed(_ address: String?) -> Bool {
        guard let engine else { return false }
        if case .allow = engine.authorizePublish(publishRequest(from: address)) { return true }
        return false
    }

    /// The same for a UDP sender, asked once per host: its datagrams keep coming, its refusal
    /// is announced once.
    private func isAllowedUDPSender(_ address: String?) -> Bool {
        let host = address.map(SocketAddress.host(of:)) ?? "?"
        if let known = udpDecisions[host] { return known }
        if udpDecisions.count >= Self.maxRememberedSenders { udpDecisions = [:] }
        let allowed = isAllowed(address)
        udpDecisions[host] = allowed
        return allowed
    }
}
