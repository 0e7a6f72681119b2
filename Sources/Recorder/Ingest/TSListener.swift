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
    private weak var engine: (any IngestSink)?
    private let stopped = NSLock()
    private var isStopped = false
    /// The bound socket: a UDP port read directly, or a TCP port (`IngestListener`) that takes
    /// one sender at a time.
    private enum Endpoint {
        case datagram(DatagramSocket)
        case listener(IngestListener)
    }
    private var endpoint: Endpoint?
    private(set) var port: UInt16 = 0
    /// UDP senders decided so far, by host (only the serve thread touches it).
    private var udpDecisions: [String: Bool] = [:]
    /// Hosts remembered at most: past this the memory is cleared and senders decided again.
    static let maxRememberedSenders = 1024

    init(input: StreamInput, name: String, engine: any IngestSink, silence: Double) {
        self.input = input
        self.name = name
        self.engine = engine
        self.silence = silence
    }

    /// Storage for one read: a datagram's largest size; a TCP read that fills it doubles the
    /// next, up to `StreamInput.readSize`.
    static let readSize = 64 * 1024

    /// The source name of a UDP stream: the engine gives it no backpressure wait.
    static let udpSourceName = "udp-ts"

    var sourceName: String {
        switch input {
        case .udp: return Self.udpSourceName
        case .tcp: return "tcp-ts"
        case .file: return "file"
        }
    }

    /// Binds now (so errors reach the caller), then serves on a thread of its own.
    func start() throws {
        switch input {
        case let .udp(host, port):
            let datagram = try DatagramSocket.bind(host: host, port: Int(port))
            do {
                self.port = UInt16(try datagram.localPort())
            } catch {
                datagram.close()
                throw error
            }
            endpoint = .datagram(datagram)
            let thread = Thread { [self] in serve(datagram) }
            thread.name = "ts-\(name)"
            thread.start()
        case let .tcp(host, port):
            // One sender feeds the stream: a second one while it is live is closed at once
            // (MPEG-TS has no way to say "busy"), as the name is taken.
            let listener = IngestListener(host: host, port: Int(port), maxConnections: 1, name: "ts-\(name)",
                                          serve: { [weak self] connection in self?.serve(connection) },
                                          busy: { _ in })
            try listener.start()
            self.port = UInt16(listener.port)
            endpoint = .listener(listener)
        case .file: throw IngestError("a file is not a listener")
        }
    }

    func stop() {
        stopped.withLock { isStopped = true }
        if case .listener(let listener)? = endpoint { listener.stop() }
    }

    private var shouldStop: Bool { stopped.withLock { isStopped } }

    /// How often a waiting listener looks at `stop()`.
    static let pollInterval: Duration = .milliseconds(200)

    private func serve(_ socket: DatagramSocket) {
        defer { socket.close() }
        while !shouldStop { receive(from: socket, client: "udp") }
    }

    /// One TCP sender, on its connection's thread (the listener closes the socket).
    private func serve(_ connection: StreamSocket) {
        guard isAllowed(connection.peerAddress()) else { return }
        receive(from: connection, client: "tcp")
    }

    /// One appearance of the stream: from the first MPEG-TS content to silence or the sender's
    /// close. Bytes that hold no TS (a port scanner, an HTTP request sent to the wrong port) do
    /// not make the stream appear.
    private func receive(from socket: some ReceivingSocket, client: String) {
        var reader = TSReader()
        var readSize = Self.readSize
        var stream: StreamClaim?
        var refused = false
        var lastData = ContinuousClock.now
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
                if stream == nil {
                    guard let engine, let claimed = try? StreamClaim.claim(name, source: sourceName, clientAddress: nil, sink: engine) else {
                        refused = true  // the name is live from another sender
                        return
                    }
                    stream = claimed
                }
                stream?.deliver(event)
            }
        }
        while !shouldStop && !refused {
            let readable = (try? socket.waitReadable(until: .now + Self.pollInterval)) ?? false
            if !readable {
                if ContinuousClock.now - lastData >= .seconds(silence) && (stream != nil || client == "tcp") { break }
                continue
            }
            var sender: String?
            // Straight into the reader's buffer, no copy; a datagram from a sender the publish
            // rules refuse is taken back (`count` 0).
            let received = reader.push(upTo: readSize) { buffer -> (count: Int, outcome: Int?) in
                guard let n = try? socket.receive(into: buffer, sender: &sender) else { return (0, nil) }
                if client == "udp" && !isAllowedUDPSender(sender) { return (0, -1) }
                return (n, n)
            }
            guard let n = received else { break }
            if n < 0 { continue }
            guard n > 0 else { break }
            readSize = n == readSize ? min(2 * readSize, StreamInput.readSize) : Self.readSize
            lastData = .now
            drain()
        }
        guard let live = stream else { return }
        // The last access unit is complete only now that no more bytes come.
        reader.finish()
        drain()
        live.end()
    }

    private func publishRequest(from address: String?) -> PublishRequest {
        PublishRequest(ingestProtocol: sourceName == Self.udpSourceName ? .udpTS : .tcpTS, app: "", name: name, clientAddress: address)
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
